import type { ScreenAction } from '../actions.ts';
import type { EndingCode } from '../ending-code.ts';
import type { RunPolicy } from '../policy.ts';
import type { RunEnding } from '../run-ending.ts';
import type { Usage } from '../run-events.ts';

// Small predicates that end a run, each with the ending that explains it (after the AI SDK's
// stop conditions): a code, the setting to change when there is one, and the sentence worded
// through `say`, so the terminal reads --max-steps and the tray its settings field. The loop
// checks them between steps.

/** What a run has spent so far, as the budgets read it. */
export type RunTally = {
  readonly steps: number;
  readonly usage: Usage;
  readonly elapsedMs: number;
  readonly unchangedInARow: number;
};

export type StopRuleCode = Extract<EndingCode, 'NO_PROGRESS' | 'STEP_BUDGET' | 'TOKEN_BUDGET' | 'COST_BUDGET' | 'TIME_BUDGET'>;

export type StopReason = RunEnding & { readonly code: StopRuleCode };

export type StopCondition = (policy: RunPolicy, state: RunTally) => StopReason | undefined;

export const stepBudgetReached: StopCondition = (policy, state) =>
  state.steps >= policy.maxSteps
    ? { code: 'STEP_BUDGET', field: 'maxSteps', wording: (say) => `The step budget of ${policy.maxSteps} ran out before the goal was reached; raise ${say('maxSteps')} or split the goal.` }
    : undefined;

// The token, time and cost budgets are the config file's alone (no flag, no settings field), so
// their sentences name none; their field still says which key of the file would change the ending.
export const tokenBudgetReached: StopCondition = (policy, state) => {
  const used = state.usage.inputTokens + state.usage.outputTokens;
  return policy.maxTokens !== undefined && used >= policy.maxTokens
    ? { code: 'TOKEN_BUDGET', field: 'maxTokens', wording: () => `The token budget of ${policy.maxTokens} ran out (${used} used) before the goal was reached.` }
    : undefined;
};

export const timeBudgetReached: StopCondition = (policy, state) => {
  const limitMs = policy.maxDurationMs;
  return limitMs !== undefined && state.elapsedMs >= limitMs
    ? { code: 'TIME_BUDGET', field: 'maxMinutes', wording: () => `The time budget of ${Math.round(limitMs / 1000)} s ran out before the goal was reached.` }
    : undefined;
};

export function costOf(usage: Usage, price: RunPolicy['price']): number | undefined {
  return price ? (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000 : undefined;
}

export const costBudgetReached: StopCondition = (policy, state) => {
  const cost = costOf(state.usage, policy.price);
  return policy.maxCostUsd !== undefined && cost !== undefined && cost >= policy.maxCostUsd
    ? { code: 'COST_BUDGET', field: 'maxCostUsd', wording: () => `The cost budget of $${policy.maxCostUsd} ran out ($${cost.toFixed(4)} spent) before the goal was reached.` }
    : undefined;
};

export const noProgress: StopCondition = (policy, state) =>
  state.unchangedInARow >= policy.maxUnchangedActions
    ? { code: 'NO_PROGRESS', wording: () => `${state.unchangedInARow} actions in a row changed nothing on screen, so the run stopped; the target may be wrong or the application unresponsive.` }
    : undefined;

export const STOP_CONDITIONS: readonly StopCondition[] = [noProgress, stepBudgetReached, tokenBudgetReached, costBudgetReached, timeBudgetReached];

export function firstStopReason(policy: RunPolicy, state: RunTally): StopReason | undefined {
  for (const condition of STOP_CONDITIONS) {
    const reason = condition(policy, state);
    if (reason) return reason;
  }
  return undefined;
}

/** Pointer moves (hovering) and waits often change nothing by design; they neither count nor reset. */
export function countsForProgress(action: ScreenAction): boolean {
  return action.kind !== 'move' && action.kind !== 'wait';
}
