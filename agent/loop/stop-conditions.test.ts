import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../policy.ts';
import { sayFor } from '../setting-fields.ts';
import { costBudgetReached, firstStopReason, noProgress, stepBudgetReached, timeBudgetReached, tokenBudgetReached, type RunTally } from './stop-conditions.ts';

const tally = (extra: Partial<RunTally> = {}): RunTally => ({ steps: 0, usage: { inputTokens: 0, outputTokens: 0 }, elapsedMs: 0, unchangedInARow: 0, ...extra });

describe('the stop conditions', () => {
  it('end on the step budget with its code and the setting to raise, worded per surface', () => {
    const policy = defaultPolicy({ maxSteps: 4 });
    expect(stepBudgetReached(policy, tally({ steps: 3 }))).toBeUndefined();
    const reason = stepBudgetReached(policy, tally({ steps: 4 }));
    expect(reason).toMatchObject({ code: 'STEP_BUDGET', field: 'maxSteps' });
    expect(reason?.wording(sayFor('cli'))).toBe('The step budget of 4 ran out before the goal was reached; raise --max-steps or split the goal.');
    expect(reason?.wording(sayFor('settings'))).toBe('The step budget of 4 ran out before the goal was reached; raise the Step budget field or split the goal.');
  });

  it("give the config file's budgets their codes and the file's key as the field, and a stalled screen its code and no setting", () => {
    const policy = defaultPolicy({ maxTokens: 100, maxDurationMs: 5000, maxCostUsd: 0.01, price: { inputPerMillion: 1000, outputPerMillion: 1000 }, maxUnchangedActions: 3 });
    const spent = tally({ usage: { inputTokens: 80, outputTokens: 30 }, elapsedMs: 6000, unchangedInARow: 3 });
    const cases = [
      [tokenBudgetReached, 'TOKEN_BUDGET', 'maxTokens', 'The token budget of 100 ran out (110 used) before the goal was reached.'],
      [timeBudgetReached, 'TIME_BUDGET', 'maxMinutes', 'The time budget of 5 s ran out before the goal was reached.'],
      [costBudgetReached, 'COST_BUDGET', 'maxCostUsd', 'The cost budget of $0.01 ran out ($0.1100 spent) before the goal was reached.'],
      [noProgress, 'NO_PROGRESS', undefined, '3 actions in a row changed nothing on screen, so the run stopped; the target may be wrong or the application unresponsive.'],
    ] as const;
    for (const [condition, code, field, sentence] of cases) {
      const reason = condition(policy, spent);
      expect(reason).toEqual({ code, ...(field ? { field } : {}), wording: expect.any(Function) });
      expect(reason?.wording(sayFor('cli'))).toBe(sentence);
      expect(reason?.wording(sayFor('settings'))).toBe(sentence);
      expect(condition(policy, tally())).toBeUndefined();
    }
  });

  it('checks a stalled screen first, then the step budget', () => {
    const policy = defaultPolicy({ maxSteps: 2, maxUnchangedActions: 2 });
    expect(firstStopReason(policy, tally({ steps: 2, unchangedInARow: 2 }))?.code).toBe('NO_PROGRESS');
    expect(firstStopReason(policy, tally({ steps: 2 }))?.code).toBe('STEP_BUDGET');
    expect(firstStopReason(policy, tally({ steps: 1 }))).toBeUndefined();
  });
});
