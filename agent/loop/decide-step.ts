import { pointOf, type ScreenAction } from '../actions.ts';
import { isOnDisplay } from '../geometry.ts';
import type { PlannedStep } from '../planned-step.ts';
import type { Approver, Clock, Decision } from '../ports.ts';
import { codedEnding, type RunEnding } from '../run-ending.ts';
import { withCorrectedPoint } from './to-screen-action.ts';

export type DecidedStep =
  | { readonly kind: 'act'; readonly action: ScreenAction; readonly corrected: boolean }
  /** Not done; `result` is what the history says of the step. */
  | { readonly kind: 'skip'; readonly result: string }
  | { readonly kind: 'stop'; readonly ending: RunEnding }
  | { readonly kind: 'refuse'; readonly ending: RunEnding };

export type DecideStepInput = {
  readonly planned: PlannedStep;
  readonly approver: Approver;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly onDecided: (decision: Decision, waitedMs: number) => void;
};

/**
 * Asks the approver, applies a correction, and checks the point once more: whatever path led here,
 * nothing off the display is ever performed.
 */
export async function decideStep(input: DecideStepInput): Promise<DecidedStep> {
  const { planned } = input;
  const waitStarted = input.clock.now();
  const decision = await input.approver.decide(planned, input.signal);
  input.onDecided(decision, input.clock.now() - waitStarted);
  if (decision.kind === 'stop') return { kind: 'stop', ending: codedEnding('STOPPED_BY_USER', `Stopped by the person before step ${planned.step}.`) };
  if (decision.kind === 'skip') return { kind: 'skip', result: decision.reason ? `refused, nothing was done: ${decision.reason}` : 'skipped by the user; nothing was done' };
  let action = planned.action;
  if (decision.kind === 'correct') {
    if (!isOnDisplay(decision.point, planned.display)) return { kind: 'refuse', ending: codedEnding('OFF_SCREEN', `The corrected point (${decision.point.x}, ${decision.point.y}) is not on the display.`) };
    action = withCorrectedPoint(action, decision.point);
  }
  const point = pointOf(action);
  if (point && !isOnDisplay(point, planned.display)) return { kind: 'refuse', ending: codedEnding('OFF_SCREEN', `Refused to act at (${point.x}, ${point.y}), off the display.`) };
  return { kind: 'act', action, corrected: decision.kind === 'correct' };
}
