import type { SuiteResult } from '../../../agent/suite/run-suite.ts';

export const CANARY = 'canary-s3cret-value';

/** A suite with one case of each status, a secret in one reason, characters XML and HTML must escape in a name. */
export function sampleSuite(): SuiteResult {
  const base = { file: 'x', tags: [] as string[] };
  return {
    startedAt: '2025-11-26T02:09:30.123Z',
    durationMs: 12_345,
    ok: false,
    stopped: false,
    counts: { passed: 1, flaky: 1, failed: 1, error: 1, interrupted: 0, skipped: 1 },
    cases: [
      { case: { ...base, id: 'suite/a.yaml', name: 'fill-form', tags: ['smoke'] }, status: 'passed', reason: 'The goal was reached and the expectation holds.', durationMs: 2100, attempts: [{ outcome: 'passed', reason: 'ok', durationMs: 2100, traceDir: '/r/runs/a', reportFile: '/r/runs/a/report.html', steps: 3, expectations: [{ question: 'The box shows hello', answer: 'yes', evidence: 'It does.' }] }] },
      {
        case: { ...base, id: 'suite/b.yaml', name: 'flaky <one> & "quoted"' },
        status: 'flaky',
        reason: 'Passed on try 2 of 2; earlier: x',
        durationMs: 4000,
        attempts: [
          { outcome: 'failed', reason: `The model gave up; it typed ${CANARY}`, code: 'MODEL_GAVE_UP', durationMs: 2000, traceDir: '/r/runs/b1' },
          { outcome: 'passed', reason: 'ok', durationMs: 2000, traceDir: '/r/runs/b2' },
        ],
      },
      { case: { ...base, id: 'suite/c.yaml', name: 'expect-false' }, status: 'failed', reason: 'The expectation "A yellow marker shows" is not met: No yellow anywhere.', durationMs: 3000, attempts: [{ outcome: 'failed', reason: 'The expectation "A yellow marker shows" is not met: No yellow anywhere.', code: 'EXPECTATION_NOT_MET', durationMs: 3000, expectations: [{ question: 'A yellow marker shows', answer: 'no', evidence: 'No yellow anywhere.' }] }] },
      { case: { ...base, id: 'suite/d.yaml', name: 'broken', problem: 'd.yaml:1:1: missing goal' }, status: 'error', reason: 'd.yaml:1:1: missing goal', durationMs: 0, attempts: [{ outcome: 'error', reason: 'd.yaml:1:1: missing goal', durationMs: 0 }] },
      { case: { ...base, id: 'suite/e.yaml', name: 'not-run' }, status: 'skipped', reason: 'Not run: the suite was stopped.', durationMs: 0, attempts: [] },
    ],
  };
}
