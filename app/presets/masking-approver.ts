import type { PlannedStep } from '../../agent/planned-step.ts';
import type { Approver, Decision } from '../../agent/ports.ts';

/** Shows the person the step with secrets masked (a typed password is shown as [secret:NAME]). */
export class MaskingApprover implements Approver {
  constructor(
    private readonly inner: Approver,
    private readonly mask: (text: string) => string,
  ) {}
  decide(step: PlannedStep, signal?: AbortSignal): Promise<Decision> {
    return this.inner.decide({ ...step, description: this.mask(step.description), ...(step.thought !== undefined ? { thought: this.mask(step.thought) } : {}) }, signal);
  }
}
