import { describe, expect, it } from 'vitest';
import { classifyAttempts, runSuite, type Attempt, type AttemptOutcome, type SuiteCase } from './run-suite.ts';

const attempt = (outcome: AttemptOutcome, reason: string = outcome): Attempt => ({ outcome, reason, durationMs: 10 });
const suiteCase = (id: string, extra: Partial<SuiteCase> = {}): SuiteCase => ({ id, file: id, name: id.replace(/\.yaml$/, ''), tags: [], ...extra });

describe('classifyAttempts', () => {
  it.each([
    [[], 'skipped'],
    [['passed'], 'passed'],
    [['failed', 'passed'], 'flaky'],
    [['failed', 'failed', 'passed'], 'flaky'],
    [['failed'], 'failed'],
    [['failed', 'failed'], 'failed'],
    [['error'], 'error'],
    [['failed', 'stopped'], 'interrupted'],
  ] as const)('%j is %s', (outcomes, status) => {
    expect(classifyAttempts(outcomes.map((outcome) => attempt(outcome)))).toBe(status);
  });
});

describe('runSuite', () => {
  it('retries a failed case, calls one that passes on a retry flaky, and passes the suite', async () => {
    const script: Record<string, AttemptOutcome[]> = { 'a.yaml': ['passed'], 'b.yaml': ['failed', 'passed'], 'c.yaml': ['failed', 'failed', 'failed'] };
    const tries: string[] = [];
    const retried: string[] = [];
    const suite = await runSuite({
      cases: ['a.yaml', 'b.yaml', 'c.yaml'].map((id) => suiteCase(id)),
      retries: 2,
      runAttempt: async (current, index) => {
        tries.push(`${current.id}#${index}`);
        return attempt(script[current.id]![index]!, `${current.id} try ${index + 1}`);
      },
      onAttemptEnd: (current, _attempt, index, willRetry) => willRetry && retried.push(`${current.id}#${index}`),
    });
    expect(tries).toEqual(['a.yaml#0', 'b.yaml#0', 'b.yaml#1', 'c.yaml#0', 'c.yaml#1', 'c.yaml#2']);
    expect(retried).toEqual(['b.yaml#0', 'c.yaml#0', 'c.yaml#1']);
    expect(suite.cases.map((result) => [result.case.id, result.status])).toEqual([
      ['a.yaml', 'passed'],
      ['b.yaml', 'flaky'],
      ['c.yaml', 'failed'],
    ]);
    expect(suite.cases[1]!.reason).toBe('Passed on try 2 of 3; earlier: b.yaml try 1');
    expect(suite.counts).toEqual({ passed: 1, flaky: 1, failed: 1, error: 0, interrupted: 0, skipped: 0 });
    expect(suite.ok).toBe(false);
  });

  it('passes a suite whose only trouble is a flaky case', async () => {
    let first = true;
    const suite = await runSuite({
      cases: [suiteCase('x.yaml')],
      retries: 1,
      runAttempt: async () => {
        const outcome = first ? 'failed' : 'passed';
        first = false;
        return attempt(outcome);
      },
    });
    expect(suite).toMatchObject({ ok: true, counts: { flaky: 1 } });
  });

  it('does not run or retry a case that cannot run, and reports it as an error', async () => {
    const runs: string[] = [];
    const suite = await runSuite({
      cases: [suiteCase('bad.yaml', { problem: 'bad.yaml:1:1: missing goal' }), suiteCase('missing-var.yaml')],
      retries: 3,
      runAttempt: async (current) => {
        runs.push(current.id);
        return attempt('error', 'needs --var user');
      },
    });
    expect(runs).toEqual(['missing-var.yaml']);
    expect(suite.cases.map((result) => [result.status, result.reason])).toEqual([
      ['error', 'bad.yaml:1:1: missing goal'],
      ['error', 'needs --var user'],
    ]);
    expect(suite.ok).toBe(false);
  });

  it('stops at once when stopped: the case under way is interrupted, the rest skipped, nothing retried', async () => {
    const controller = new AbortController();
    const suite = await runSuite({
      cases: [suiteCase('a.yaml'), suiteCase('b.yaml'), suiteCase('c.yaml')],
      retries: 2,
      signal: controller.signal,
      runAttempt: async (current) => {
        if (current.id === 'b.yaml') {
          controller.abort();
          return attempt('stopped');
        }
        return attempt('passed');
      },
    });
    expect(suite.cases.map((result) => result.status)).toEqual(['passed', 'interrupted', 'skipped']);
    expect(suite).toMatchObject({ ok: false, stopped: true });
  });
});
