import { describeAction, pointOf } from '../../agent/actions.ts';
import type { Approver, Decision } from '../../agent/ports.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';
import type { RiskAssessment } from '../../agent/risk/assess-risk.ts';
import type { ApprovalMode, OverlayDecision, OverlayView } from '../ipc/contract.ts';
import { needsConfirmation } from './approval-policy.ts';
import { correctionPoint, placeStep, type OverlayDisplay } from './overlay-placement.ts';

/** The overlay windows, as the approver needs them; Electron's live in `electron-overlays.ts`. */
export interface OverlayPresenter {
  /** The displays with an overlay window, as they are now. */
  displays(): readonly OverlayDisplay[];
  /** Shows one step on the window of `view.displayId`, taking the keyboard and clicks. */
  show(view: OverlayView): void;
  /** Hides every overlay window and gives clicks back to the desktop. */
  hide(): void;
}

export type OverlayApproverOptions = {
  readonly runId: string;
  readonly mode: ApprovalMode;
  readonly presenter: OverlayPresenter;
  readonly assess: (step: PlannedStep) => RiskAssessment;
  /** A step waits for the person (for a notification when it is risky). */
  readonly onWaiting?: (view: OverlayView) => void;
};

export type DecideResult = { readonly accepted: boolean; readonly reason?: string };

type Pending = { readonly step: PlannedStep; readonly view: OverlayView; readonly resolve: (decision: Decision) => void };

/**
 * Asks the person on the overlay before a step, when the approval mode wants it: Enter does it,
 * S skips, Esc stops, and a click elsewhere moves the target to the clicked point (what the run
 * then clicks, and records as a correction). The keys and clicks arrive through `answer`.
 */
export class OverlayApprover implements Approver {
  private pending: Pending | undefined;
  private cancelled = false;

  constructor(private readonly options: OverlayApproverOptions) {}

  async decide(step: PlannedStep, signal?: AbortSignal): Promise<Decision> {
    if (this.cancelled || signal?.aborted) return { kind: 'stop' };
    const risk = this.options.assess(step);
    if (!needsConfirmation(this.options.mode, risk)) return { kind: 'approve' };
    const placement = placeStep(step, this.options.presenter.displays());
    // Nowhere to ask: acting unconfirmed would break the person's choice, so stop.
    if (!placement) return { kind: 'stop' };
    const secret = risk.reasons.some((reason) => reason.code === 'secret-field');
    const view: OverlayView = {
      runId: this.options.runId,
      step: step.step,
      displayId: placement.displayId,
      description: secret ? describeAction(step.action, { maskText: true }) : step.description,
      ...(step.thought ? { thought: step.thought } : {}),
      actionKind: step.action.kind,
      ...(placement.box ? { box: placement.box } : {}),
      ...(placement.point ? { point: placement.point } : {}),
      risk: { risky: risk.risky, reasons: risk.reasons.map((reason) => reason.message) },
      canCorrect: pointOf(step.action) !== undefined,
    };
    const decision = new Promise<Decision>((resolve) => {
      const onAbort = () => finish({ kind: 'stop' });
      const finish = (value: Decision) => {
        signal?.removeEventListener('abort', onAbort);
        if (this.pending?.view === view) this.pending = undefined;
        this.options.presenter.hide();
        resolve(value);
      };
      this.pending = { step, view, resolve: finish };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    this.options.presenter.show(view);
    this.options.onWaiting?.(view);
    return decision;
  }

  /** A key or click from an overlay window. Stale or impossible decisions are refused, not guessed. */
  answer(input: OverlayDecision): DecideResult {
    const pending = this.pending;
    if (!pending) return { accepted: false, reason: 'No step is waiting for a decision.' };
    if (input.runId !== pending.view.runId || input.step !== pending.view.step) return { accepted: false, reason: `That decision is for another step; step ${pending.view.step} is waiting.` };
    if (input.choice !== 'correct') {
      pending.resolve({ kind: input.choice });
      return { accepted: true };
    }
    if (!pending.view.canCorrect) return { accepted: false, reason: 'This step points nowhere; press Enter to do it, S to skip or Esc to stop.' };
    const point = correctionPoint(input, pending.step, this.options.presenter.displays());
    if (!point) return { accepted: false, reason: 'Click on the screen the task runs on.' };
    pending.resolve({ kind: 'correct', point });
    return { accepted: true };
  }

  /** The step waiting on `displayId`'s window, for a window that (re)loads while it waits. */
  current(displayId: string): OverlayView | undefined {
    return this.pending?.view.displayId === displayId ? this.pending.view : undefined;
  }

  /** Stops: a waiting step ends as 'stop', and later reviews stop at once. */
  cancel(): void {
    this.cancelled = true;
    this.pending?.resolve({ kind: 'stop' });
  }
}
