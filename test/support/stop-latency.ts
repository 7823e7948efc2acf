import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './run-cli.ts';

// Stop latency, measured by the safety tests: from the moment a stop is given (abort, signal) to
// the moment the interrupted action settled or the process exited. Each suite adds its trials to
// test-results/stop-latency.json, which also holds the distribution over all of them.

export type StopTrial = {
  /** What was interrupted: `type`, `drag`, `key-combo`, `wait`, `model-wait`... */
  readonly kind: string;
  /** How the stop was given: `abort`, `SIGINT`, `SIGTERM`, `fail-safe`. */
  readonly via: string;
  /** Milliseconds from the stop to the action settling (or the process exiting). */
  readonly ms: number;
  /** Milliseconds into the action when the stop was given. */
  readonly afterMs?: number;
  /** Keys and buttons the X server reported down afterwards (must be none). */
  readonly held: number;
  /** Whether typing 'abc' into a fresh program afterwards arrived as 'abc'. */
  readonly cleanTyping: boolean;
};

export type LatencySummary = { readonly trials: number; readonly minMs: number; readonly medianMs: number; readonly p90Ms: number; readonly maxMs: number };

export const STOP_LATENCY_FILE = path.join(repositoryRoot, 'test-results', 'stop-latency.json');

/** Nearest-rank percentiles. */
export function summarise(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const round = (value: number) => Math.round(value * 10) / 10;
  return { trials: sorted.length, minMs: round(sorted[0] ?? Number.NaN), medianMs: round(rank(50)), p90Ms: round(rank(90)), maxMs: round(sorted.at(-1) ?? Number.NaN) };
}

type LatencyFile = {
  updatedAt: string;
  all: LatencySummary;
  stuckInputTrials: number;
  suites: Record<string, { summary: LatencySummary; byKind: Record<string, LatencySummary>; countsInAll: boolean; trials: StopTrial[] }>;
};

/**
 * Adds (or replaces) one suite's trials in the file and prints its distribution; returns the suite's
 * summary. `countsInAll: false` for a second view of trials already counted (another end point).
 */
export function recordStopTrials(suite: string, trials: readonly StopTrial[], options: { countsInAll?: boolean } = {}): LatencySummary {
  let file: LatencyFile = { updatedAt: '', all: summarise([]), stuckInputTrials: 0, suites: {} };
  try {
    file = JSON.parse(readFileSync(STOP_LATENCY_FILE, 'utf8')) as LatencyFile;
  } catch {
    /* first suite of the run */
  }
  const byKind: Record<string, LatencySummary> = {};
  for (const kind of new Set(trials.map((trial) => `${trial.kind} via ${trial.via}`))) {
    byKind[kind] = summarise(trials.filter((trial) => `${trial.kind} via ${trial.via}` === kind).map((trial) => trial.ms));
  }
  const summary = summarise(trials.map((trial) => trial.ms));
  file.suites[suite] = { summary, byKind, countsInAll: options.countsInAll ?? true, trials: [...trials] };
  const every = Object.values(file.suites)
    .filter((entry) => entry.countsInAll !== false)
    .flatMap((entry) => entry.trials);
  file.all = summarise(every.map((trial) => trial.ms));
  file.stuckInputTrials = every.filter((trial) => trial.held > 0 || !trial.cleanTyping).length;
  file.updatedAt = new Date().toISOString();
  mkdirSync(path.dirname(STOP_LATENCY_FILE), { recursive: true });
  writeFileSync(STOP_LATENCY_FILE, `${JSON.stringify(file, null, 2)}\n`);
  const line = (name: string, value: LatencySummary) =>
    `${name.padEnd(28)} n=${String(value.trials).padStart(3)}  min ${value.minMs} ms  median ${value.medianMs} ms  p90 ${value.p90Ms} ms  max ${value.maxMs} ms`;
  console.log(
    [`Stop latency, ${suite}:`, line('this suite', summary), ...Object.entries(byKind).map(([kind, value]) => line(kind, value)), line('all suites so far', file.all), `(written to ${path.relative(repositoryRoot, STOP_LATENCY_FILE)})`].join('\n'),
  );
  return summary;
}

/** A small seeded generator (mulberry32), so a failing trial can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
