import type { Preset } from '../preset/preset-schema.ts';
import type { CheckpointResult, ExpectationResult } from '../preset/run-preset.ts';

// A suite runs presets as test cases, one after the other on one desktop. A failed case is tried
// again up to `retries` times; one that passes on a retry is flaky (it passed, but not reliably).
// A case that cannot run at all (a preset file with errors, a missing variable) is an error and is
// not retried: running it again would fail the same way.

export type SuiteCase = {
  /** Stable across machines: the preset file's path as found (shards and reports use it). */
  readonly id: string;
  readonly file: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly preset?: Preset;
  /** Why the case cannot run (the preset file's problems). */
  readonly problem?: string;
};

export type AttemptOutcome = 'passed' | 'failed' | 'error' | 'stopped';

export type Attempt = {
  readonly outcome: AttemptOutcome;
  readonly reason: string;
  /** Why, for programs: the run's ending code (STEP_BUDGET, EXPECTATION_NOT_MET, an error's code), when it has one. */
  readonly code?: string;
  readonly durationMs: number;
  /** The attempt's run folder, when it got as far as having one. */
  readonly traceDir?: string;
  /** Its HTML report, when one was written. */
  readonly reportFile?: string;
  /** Its video, when one was kept (--video). */
  readonly videoFile?: string;
  readonly steps?: number;
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number };
  readonly checkpoints?: readonly CheckpointResult[];
  readonly expectations?: readonly ExpectationResult[];
};

/** passed: first try; flaky: failed, then passed on a retry; interrupted: the suite was stopped during it; skipped: never run. */
export type CaseStatus = 'passed' | 'flaky' | 'failed' | 'error' | 'interrupted' | 'skipped';
export const CASE_STATUSES: readonly CaseStatus[] = ['passed', 'flaky', 'failed', 'error', 'interrupted', 'skipped'];

export type CaseResult = { readonly case: SuiteCase; readonly status: CaseStatus; readonly attempts: readonly Attempt[]; readonly reason: string; readonly durationMs: number };

export type SuiteResult = {
  readonly cases: readonly CaseResult[];
  readonly counts: Readonly<Record<CaseStatus, number>>;
  readonly durationMs: number;
  readonly startedAt: string;
  /** No case failed, errored or was interrupted (flaky ones passed). */
  readonly ok: boolean;
  /** The suite was stopped before its end. */
  readonly stopped: boolean;
};

export function classifyAttempts(attempts: readonly Attempt[]): CaseStatus {
  const last = attempts.at(-1);
  if (!last) return 'skipped';
  if (last.outcome === 'passed') return attempts.length === 1 ? 'passed' : 'flaky';
  if (last.outcome === 'error') return 'error';
  if (last.outcome === 'stopped') return 'interrupted';
  return 'failed';
}

export type RunSuiteOptions = {
  readonly cases: readonly SuiteCase[];
  /** Extra tries for a failed case (0: none). */
  readonly retries: number;
  /** Runs one attempt of one case; `attempt` counts from 0. */
  readonly runAttempt: (suiteCase: SuiteCase, attempt: number) => Promise<Attempt>;
  readonly onCaseStart?: (suiteCase: SuiteCase, position: number) => void;
  readonly onAttemptEnd?: (suiteCase: SuiteCase, attempt: Attempt, index: number, willRetry: boolean) => void;
  readonly onCaseEnd?: (result: CaseResult, position: number) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
};

export async function runSuite(options: RunSuiteOptions): Promise<SuiteResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const startedAt = new Date().toISOString();
  const results: CaseResult[] = [];
  for (const [position, suiteCase] of options.cases.entries()) {
    const caseStarted = now();
    const attempts: Attempt[] = [];
    if (options.signal?.aborted) {
      results.push({ case: suiteCase, status: 'skipped', attempts, reason: 'Not run: the suite was stopped.', durationMs: 0 });
      continue;
    }
    options.onCaseStart?.(suiteCase, position);
    if (suiteCase.problem !== undefined) {
      attempts.push({ outcome: 'error', reason: suiteCase.problem, durationMs: 0 });
    } else {
      for (let attempt = 0; attempt <= options.retries; attempt++) {
        const result = await options.runAttempt(suiteCase, attempt);
        attempts.push(result);
        const willRetry = result.outcome === 'failed' && attempt < options.retries && !options.signal?.aborted;
        options.onAttemptEnd?.(suiteCase, result, attempt, willRetry);
        if (!willRetry) break;
      }
    }
    const status = classifyAttempts(attempts);
    const last = attempts.at(-1)!;
    const reason = status === 'flaky' ? `Passed on try ${attempts.length} of ${options.retries + 1}; earlier: ${attempts[0]!.reason}` : last.reason;
    const result: CaseResult = { case: suiteCase, status, attempts, reason, durationMs: now() - caseStarted };
    results.push(result);
    options.onCaseEnd?.(result, position);
  }
  const counts = Object.fromEntries(CASE_STATUSES.map((status) => [status, results.filter((result) => result.status === status).length])) as Record<CaseStatus, number>;
  return {
    cases: results,
    counts,
    durationMs: now() - started,
    startedAt,
    ok: counts.failed + counts.error + counts.interrupted === 0 && !options.signal?.aborted,
    stopped: options.signal?.aborted ?? false,
  };
}
