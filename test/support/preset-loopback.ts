import type { Reply } from './qwen-loopback/render-reply.ts';
import type { ScriptStep, StepContext } from './qwen-loopback/script.ts';

// The loopback model for preset runs: one step function answers every request, told what is being
// asked. An agent step comes with the goal (and, for presets with steps, the sub-goal to do now)
// and the actions so far; an expectation check comes with the statement to judge. The test decides
// from that and from the screenshot, as a model would from what it is shown.

export type PresetAsk =
  | {
      readonly kind: 'act';
      /** The whole goal text the agent sent (for presets with steps, the list of steps too). */
      readonly goal: string;
      /** The sub-goal to do now, when the preset has steps. */
      readonly subGoal?: string;
      readonly subGoalIndex?: number;
      /** The "Previous actions" lines of this pass. */
      readonly history: readonly string[];
    }
  | { readonly kind: 'expect'; readonly statement: string };

export type PresetDecide = (ask: PresetAsk, context: StepContext) => Reply | Promise<Reply>;

export function readAsk(context: StepContext): PresetAsk {
  if (context.system?.includes('You check whether a statement is true')) {
    const statement = context.texts.map((text) => /^Statement: ([\s\S]*)$/.exec(text)?.[1]).find((text) => text !== undefined);
    return { kind: 'expect', statement: statement ?? '' };
  }
  const goalText = context.texts.find((text) => text.startsWith("The user's goal: "));
  const goal = goalText?.slice("The user's goal: ".length) ?? '';
  const now = /Now do only step (\d+): (.*)$/m.exec(goal);
  // The single-message layout lists the steps under "Previous actions"; the turns layout gives each
  // step's result in the turn after its reply ("Result: 3. Click 'Save' -> done").
  const historyText = context.texts.find((text) => text.startsWith('Previous actions'));
  const results = context.texts.flatMap((text) => (text.startsWith('Result: ') ? [text.slice('Result: '.length)] : []));
  const history = historyText ? (historyText.includes('none yet') ? [] : historyText.split('\n').slice(1)) : results;
  return { kind: 'act', goal, ...(now ? { subGoal: now[2]!, subGoalIndex: Number(now[1]) } : {}), history };
}

/** Enough script steps for any test: each request is answered by `decide`. */
export function presetScript(decide: PresetDecide, length = 400): ScriptStep[] {
  const step: ScriptStep = (context) => decide(readAsk(context), context);
  return Array.from({ length }, () => step);
}

export const answer = (yes: boolean, evidence: string): string => JSON.stringify({ answer: yes ? 'yes' : 'no', evidence });
export const finish = (status: 'success' | 'failure' = 'success', thought?: string): Reply => ({ action: 'terminate', status, ...(thought ? { thought } : {}) });
