import { z } from 'zod';
import { DeskpilotError } from '../errors.ts';
import { CASE_STATUSES, type Attempt, type CaseResult, type CaseStatus, type SuiteResult } from './run-suite.ts';

// The shards of one suite, run on n machines, joined into one result, as Playwright's
// merge-reports does: every case once (a case found in two shards, e.g. a shard run again, keeps
// its later result, which is said), counts recomputed, the suite's time the longest shard's (they
// ran side by side). Pure: reading the files and rebasing paths is the caller's.

const AttemptJsonSchema = z.looseObject({
  outcome: z.enum(['passed', 'failed', 'error', 'stopped']),
  reason: z.string(),
  code: z.string().optional(),
  durationMs: z.number().min(0),
  traceDir: z.string().optional(),
  reportFile: z.string().optional(),
  videoFile: z.string().optional(),
  steps: z.number().optional(),
});

export const SuiteResultsJsonSchema = z.looseObject({
  startedAt: z.string(),
  durationMs: z.number().min(0),
  ok: z.boolean(),
  stopped: z.boolean(),
  facts: z.record(z.string(), z.string()).optional(),
  cases: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      tags: z.array(z.string()),
      status: z.enum(CASE_STATUSES as [CaseStatus, ...CaseStatus[]]),
      reason: z.string(),
      durationMs: z.number().min(0),
      attempts: z.array(AttemptJsonSchema),
    }),
  ),
});
export type SuiteResultsJson = z.infer<typeof SuiteResultsJsonSchema>;

export class MergeResultsError extends DeskpilotError {}

/** Checks one shard's results.json; `where` names it in the message. */
export function parseSuiteResults(json: unknown, where: string): SuiteResultsJson {
  const parsed = SuiteResultsJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MergeResultsError('RESULTS_INVALID', `${where} is not a results.json of deskpilot test (wrong at '${issue.path.join('.') || '(top)'}': ${issue.message}).`);
  }
  return parsed.data;
}

export type ShardResults = {
  /** The shard's folder, for messages. */
  readonly dir: string;
  readonly results: SuiteResultsJson;
};

export type MergedSuite = {
  readonly suite: SuiteResult;
  /** Facts of the merge: shards, their total time, which shards each case came from. */
  readonly facts: Record<string, string>;
  /** Things to say: cases found in several shards. */
  readonly warnings: readonly string[];
};

/** Problem cases first, as a person reading the index wants them: failed, error, interrupted, flaky, then passed and skipped. */
export const STATUS_ORDER: readonly CaseStatus[] = ['failed', 'error', 'interrupted', 'flaky', 'passed', 'skipped'];

export function problemsFirst(cases: readonly CaseResult[]): CaseResult[] {
  return [...cases].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.case.id.localeCompare(b.case.id));
}

/**
 * Joins shards; `rebase` turns a path recorded by a shard (a run folder, report or video) into one
 * valid where the shard's folder now is.
 */
export function mergeSuiteResults(shards: readonly ShardResults[], rebase: (recorded: string, shardDir: string) => string = (recorded) => recorded): MergedSuite {
  if (shards.length === 0) throw new MergeResultsError('NOTHING_TO_MERGE', 'Give the folders of the shards to merge (each holds a results.json from deskpilot test --output).');
  const byId = new Map<string, { result: CaseResult; dir: string }>();
  const warnings: string[] = [];
  for (const { dir, results } of shards) {
    for (const entry of results.cases) {
      const attempts: Attempt[] = entry.attempts.map((attempt) => ({
        ...(attempt as Attempt),
        ...(attempt.traceDir ? { traceDir: rebase(attempt.traceDir, dir) } : {}),
        ...(attempt.reportFile ? { reportFile: rebase(attempt.reportFile, dir) } : {}),
        ...(attempt.videoFile ? { videoFile: rebase(attempt.videoFile, dir) } : {}),
      }));
      const result: CaseResult = { case: { id: entry.id, file: entry.id, name: entry.name, tags: entry.tags }, status: entry.status, attempts, reason: entry.reason, durationMs: entry.durationMs };
      const earlier = byId.get(entry.id);
      if (earlier) warnings.push(`${entry.id} is in ${earlier.dir} and ${dir}; the result from ${dir} is kept.`);
      byId.set(entry.id, { result, dir });
    }
  }
  const cases = [...byId.values()].map((value) => value.result).sort((a, b) => a.case.id.localeCompare(b.case.id));
  const counts = Object.fromEntries(CASE_STATUSES.map((status) => [status, cases.filter((result) => result.status === status).length])) as Record<CaseStatus, number>;
  const stopped = shards.some((shard) => shard.results.stopped);
  const startedAt = shards.map((shard) => shard.results.startedAt).sort()[0]!;
  const suite: SuiteResult = {
    cases,
    counts,
    durationMs: Math.max(...shards.map((shard) => shard.results.durationMs)),
    startedAt,
    ok: counts.failed + counts.error + counts.interrupted === 0 && !stopped,
    stopped,
  };
  const shardNames = shards.map((shard) => shard.results.facts?.shard).filter((name): name is string => name !== undefined);
  const facts: Record<string, string> = {
    shards: String(shards.length),
    ...(shardNames.length > 0 ? { 'shards merged': shardNames.join(', ') } : {}),
    'time of all shards': `${(shards.reduce((sum, shard) => sum + shard.results.durationMs, 0) / 1000).toFixed(1)} s`,
  };
  const totals = shards.map((shard) => shard.results.facts?.shard?.split('/')[1]).filter(Boolean);
  const expected = totals.length > 0 && totals.every((total) => total === totals[0]) ? Number(totals[0]) : undefined;
  if (expected !== undefined && new Set(shardNames).size < expected) warnings.push(`Only ${new Set(shardNames).size} of ${expected} shards were given (${[...new Set(shardNames)].join(', ')}); the merged report lacks the others' cases.`);
  return { suite, facts, warnings };
}
