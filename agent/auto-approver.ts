import type { Approver, Decision } from './ports.ts';

/** Approves every step: the `--yes` mode, and "never confirm" in the app. */
export class AutoApprover implements Approver {
  async decide(): Promise<Decision> {
    return { kind: 'approve' };
  }
}
