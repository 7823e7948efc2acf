import type { Approver, Decision } from '../ports.ts';
import type { PlannedStep } from '../planned-step.ts';
import { RiskTracker, type RiskCode } from './assess-risk.ts';

export type ApprovalMode = 'always' | 'risky' | 'never';

export type RiskGatedApproverOptions = {
  /** always: every step waits for the person; risky: risky ones do; never: none but risky ones still do. */
  readonly mode: ApprovalMode;
  /** Who decides when a step waits; absent when nobody is there (a pipeline): risky steps are then refused. */
  readonly person?: Approver;
  /** Risks allowed by name (a preset's policy), which then run unconfirmed in modes risky and never. */
  readonly allowedRisks?: readonly RiskCode[];
  /** Told about every step held for the person or refused, with the reasons in words. */
  readonly onHeld?: (step: PlannedStep, reasons: readonly string[], decision: Decision) => void;
};

/**
 * The approval policy. Screen content is untrusted, so a step the risk rules flag (send, delete,
 * pay, close, type a secret, or what the model marks) waits for a person even in autonomous mode,
 * unless the risk is allowed by name; with nobody to ask, it is refused, and the model is told.
 */
export class RiskGatedApprover implements Approver {
  private readonly tracker = new RiskTracker();
  constructor(private readonly options: RiskGatedApproverOptions) {}

  async decide(step: PlannedStep, signal?: AbortSignal): Promise<Decision> {
    const allowed = new Set(this.options.allowedRisks ?? []);
    const risks = this.tracker.assess(step).reasons.filter((reason) => !allowed.has(reason.code));
    const held = this.options.mode === 'always' || risks.length > 0;
    let decision: Decision = { kind: 'approve' };
    if (held) {
      if (this.options.person) decision = await this.options.person.decide(step, signal);
      else decision = { kind: 'skip', reason: `a risky step needs a person's approval and none was available (${risks.map((risk) => risk.message).join(' ')})` };
      if (risks.length > 0) this.options.onHeld?.(step, risks.map((risk) => risk.message), decision);
    }
    if (decision.kind === 'approve') this.tracker.performed(step.action);
    if (decision.kind === 'correct') this.tracker.performed(step.action, true);
    return decision;
  }
}
