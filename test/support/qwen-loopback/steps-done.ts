import type { StepContext } from './script.ts';

/**
 * How many steps the agent says it has done, in either layout of the conversation: a "Previous
 * actions" list (single message), or one "Result:" text per step (turns).
 */
export function stepsDone(context: Pick<StepContext, 'texts'>): number {
  const history = context.texts.find((text) => text.startsWith('Previous actions'));
  if (history !== undefined) return history.includes('none yet') ? 0 : history.split('\n').length - 1;
  return context.texts.filter((text) => text.startsWith('Result: ')).length;
}
