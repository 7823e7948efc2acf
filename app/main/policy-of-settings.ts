import type { RunPolicyInput } from '../../agent/policy.ts';
import type { Settings } from '../ipc/contract.ts';

/**
 * What the settings screen sets of a run's policy, as the session's defaults: under a preset's own
 * values and the config file's budgets layer below. Left-out fields keep the policy's defaults.
 */
export function policyOfSettings(settings: Settings): RunPolicyInput {
  return {
    maxSteps: settings.maxSteps,
    imageTokenBudget: settings.imageTokenBudget,
    ...(settings.display !== undefined ? { display: settings.display } : {}),
    ...(settings.refine !== undefined ? { refine: settings.refine } : {}),
    ...(settings.refineCropSize !== undefined ? { refineCropSize: settings.refineCropSize } : {}),
  };
}
