import type { ModelContentPart, ModelMessage, ModelRequest } from '../ports.ts';
import { buildSystemPrompt } from './system-prompt.ts';

// What the model sees at each step: the goal, a numbered text list of every earlier action and its
// result, and the last few screenshots (older steps stay as text only, so the request's size is
// bounded however long the run).

export type HistoryEntry = {
  readonly step: number;
  /** The action in words, e.g. "Click 'Save' at (512, 300)". */
  readonly action: string;
  /** What came of it, e.g. "done", "skipped by the user", "the screen did not change". */
  readonly result: string;
};

export type ContextScreenshot = {
  /** The step this screenshot was taken before. */
  readonly step: number;
  readonly image: Uint8Array;
  readonly mediaType: string;
  /** Which display this screen is, when there are several (told to the model with the screen). */
  readonly note?: string;
};

export type Reask = {
  /** The reply that could not be used, sent back so the model sees its own words. */
  readonly previousReply: string;
  /** Why it could not be used, in a sentence the model can act on. */
  readonly problem: string;
};

export type StepContext = {
  readonly goal: string;
  readonly history: readonly HistoryEntry[];
  /** Oldest first; the last one is the current screen. */
  readonly screenshots: readonly ContextScreenshot[];
  /** Re-asks of this step so far, oldest first. */
  readonly reasks?: readonly Reask[];
  /** Which display the screenshots show, when the desktop has several. */
  readonly displayNote?: string;
};

export const REASK_MARKER = 'Your previous reply could not be used';

export function buildRequest(context: StepContext): ModelRequest {
  const current = context.screenshots.at(-1);
  if (!current) throw new Error('buildRequest needs at least the current screenshot.');
  const content: ModelContentPart[] = [{ type: 'text', text: `The user's goal: ${context.goal}` }];
  content.push({ type: 'text', text: historyText(context.history) });
  for (const screenshot of context.screenshots.slice(0, -1)) {
    content.push({ type: 'text', text: `Screenshot before step ${screenshot.step}:` });
    content.push({ type: 'image', image: screenshot.image, mediaType: screenshot.mediaType });
  }
  if (context.displayNote) content.push({ type: 'text', text: context.displayNote });
  content.push({ type: 'text', text: `Current screen (step ${current.step}):` });
  content.push({ type: 'image', image: current.image, mediaType: current.mediaType });
  content.push({ type: 'text', text: 'Decide the next single action toward the goal.' });
  const messages: ModelMessage[] = [{ role: 'user', content }, ...reaskMessages(context.reasks ?? [])];
  return { system: buildSystemPrompt(), messages };
}

/** Each bad reply back to the model as its own turn, with what was wrong; appended after the step's screen. */
export function reaskMessages(reasks: readonly Reask[]): ModelMessage[] {
  return reasks.flatMap((reask): ModelMessage[] => [
    { role: 'assistant', content: reask.previousReply || '(empty reply)' },
    {
      role: 'user',
      content: [{ type: 'text', text: `${REASK_MARKER}: ${reask.problem} Nothing was done. Answer again for the same screen with exactly one valid <tool_call>.` }],
    },
  ]);
}

export function historyText(history: readonly HistoryEntry[]): string {
  if (history.length === 0) return 'Previous actions: none yet.';
  return `Previous actions:\n${history.map((entry) => `${entry.step}. ${entry.action} -> ${entry.result}`).join('\n')}`;
}
