import type { FinalAction } from '../actions.ts';
import type { RunOutcome } from '../run-events.ts';

/** How a run ends when the model says it is done: an answer, success, or giving up (with its reason). */
export function finalOutcome<P>(action: FinalAction<P>, thought: string | undefined): [RunOutcome, string, string?] {
  if (action.kind === 'answer') return ['done', 'The model answered.', action.text];
  return action.status === 'success' ? ['done', 'The model reports the goal reached.'] : ['failed', `The model gave up on the goal${thought ? `: ${thought}` : '.'}`];
}
