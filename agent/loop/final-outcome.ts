import type { FinalAction } from '../actions.ts';
import { codedEnding, type RunEnding } from '../run-ending.ts';
import type { RunOutcome } from '../run-events.ts';

/** How a run ends when the model says it is done: an answer, success, or giving up (MODEL_GAVE_UP, with its reason). */
export function finalOutcome<P>(action: FinalAction<P>, thought: string | undefined): [RunOutcome, string | RunEnding, string?] {
  if (action.kind === 'answer') return ['done', 'The model answered.', action.text];
  return action.status === 'success' ? ['done', 'The model reports the goal reached.'] : ['failed', codedEnding('MODEL_GAVE_UP', `The model gave up on the goal${thought ? `: ${thought}` : '.'}`)];
}
