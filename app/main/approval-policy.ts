import type { RiskAssessment } from '../../agent/risk/assess-risk.ts';
import type { ApprovalMode } from '../ipc/contract.ts';

/** Whether a planned step waits for the person: every step, the risky ones, or none. */
export function needsConfirmation(mode: ApprovalMode, risk: RiskAssessment): boolean {
  switch (mode) {
    case 'always':
      return true;
    case 'risky':
      return risk.risky;
    case 'never':
      return false;
  }
}
