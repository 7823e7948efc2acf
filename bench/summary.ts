import type { DesktopBenchResult } from './desktop-bench.ts';
import type { TaskRun } from './phases/task.ts';
import type { Harness } from './task-plan.ts';
import { rounded, summarize, type Summary } from './stats.ts';
import type { StepBreakdown } from './timeline.ts';

// From the raw runs to the figures the table shows and the targets are judged on. Pure, so the
// arithmetic is tested without a desktop.

export type TaskSummary = {
  /** The display size, e.g. 1920x1080. */
  readonly display: string;
  readonly harness: Harness;
  readonly latencyMs: number;
  readonly runs: number;
  /** Runs that reached `done` with every effect confirmed by the page. */
  readonly verifiedRuns: number;
  readonly steps: number | undefined;
  readonly totalMs: Summary | undefined;
  /** Median total over the ideal of steps x latency, less one (0.1 = 10 % over); none at 0 latency. */
  readonly overIdeal: number | undefined;
  /** Per action step: wall less the model server and the application's reaction. */
  readonly overheadMs: Summary | undefined;
  /** Mean per action step of each phase; these add up to the mean overhead. */
  readonly meanPhasesMs: PhaseMeans | undefined;
};

export type PhaseMeans = {
  readonly capture: number;
  readonly clientRequest: number;
  readonly record: number;
  readonly beforeFingerprint: number;
  readonly action: number;
  readonly fixedWait: number;
  /** Settle beyond the application's reaction. */
  readonly settleBeyondReaction: number;
  readonly other: number;
  readonly overhead: number;
  readonly server: number;
  readonly appReaction: number;
  readonly wall: number;
};

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
const one = (value: number) => Number(value.toFixed(1));

export function phaseMeans(steps: readonly StepBreakdown[]): PhaseMeans | undefined {
  if (steps.length === 0) return undefined;
  const of = (pick: (step: StepBreakdown) => number) => one(mean(steps.map(pick)));
  return {
    capture: of((step) => step.captureMs),
    clientRequest: of((step) => step.clientRequestMs),
    record: of((step) => step.recordMs),
    beforeFingerprint: of((step) => step.beforeFingerprintMs),
    action: of((step) => step.actionMs),
    fixedWait: of((step) => step.fixedWaitMs),
    settleBeyondReaction: of((step) => step.settleMs - step.appReactionMs),
    other: of((step) => step.otherMs + (step.modelMs - step.serverMs - step.clientRequestMs)),
    overhead: of((step) => step.overheadMs),
    server: of((step) => step.serverMs),
    appReaction: of((step) => step.appReactionMs),
    wall: of((step) => step.wallMs),
  };
}

/** Groups runs by harness and latency, in the order first seen. */
export function summarizeTasks(runs: readonly TaskRun[], display = '1920x1080'): TaskSummary[] {
  const groups = new Map<string, TaskRun[]>();
  for (const run of runs) {
    const key = `${run.harness}@${run.latencyMs}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as TaskRun;
    const verified = group.filter((run) => run.outcome === 'done' && run.problems.length === 0);
    const actionSteps = verified.flatMap((run) => run.breakdown.filter((step) => step.acted));
    const total = summarize(verified.map((run) => run.totalMs));
    const steps = verified[0]?.steps;
    return {
      display,
      harness: first.harness,
      latencyMs: first.latencyMs,
      runs: group.length,
      verifiedRuns: verified.length,
      steps,
      totalMs: rounded(total, 0),
      overIdeal: total && steps && first.latencyMs > 0 ? Number((total.median / (steps * first.latencyMs) - 1).toFixed(3)) : undefined,
      overheadMs: rounded(summarize(actionSteps.map((step) => step.overheadMs))),
      meanPhasesMs: phaseMeans(actionSteps),
    };
  });
}

export type Ratio = { readonly latencyMs: number; readonly baselineMs: number; readonly deskpilotMs: number; readonly ratio: number };

/** Baseline median total over ours, at each latency both were run at. */
export function ratios(tasks: readonly TaskSummary[]): Ratio[] {
  const result: Ratio[] = [];
  for (const baseline of tasks.filter((task) => task.harness === 'fixed-waits')) {
    const ours = tasks.find((task) => task.harness === 'deskpilot' && task.display === baseline.display && task.latencyMs === baseline.latencyMs);
    if (!ours?.totalMs || !baseline.totalMs) continue;
    result.push({ latencyMs: baseline.latencyMs, baselineMs: baseline.totalMs.median, deskpilotMs: ours.totalMs.median, ratio: Number((baseline.totalMs.median / ours.totalMs.median).toFixed(2)) });
  }
  return result;
}

export type Target = {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
  /** How far from the goal, in the goal's unit (positive = missed by). */
  readonly marginText?: string;
};

const ms = (value: number) => `${Math.round(value)} ms`;

/** The four targets, judged on the first display size (1920x1080). */
export function judgeTargets(result: DesktopBenchResult | undefined, allTasks: readonly TaskSummary[]): Target[] {
  const targets: Target[] = [];
  const display = result ? `${result.width}x${result.height}` : allTasks[0]?.display;
  const tasks = allTasks.filter((task) => task.display === display);
  for (const latencyMs of [1500, 0]) {
    const ours = tasks.find((task) => task.harness === 'deskpilot' && task.latencyMs === latencyMs);
    const median = ours?.overheadMs?.median;
    targets.push({
      name: `Harness overhead per action step (${latencyMs / 1000} s model latency)`,
      goal: 'median < 150 ms',
      measured: median === undefined ? 'not measured' : `median ${ms(median)} (p10 ${ms(ours!.overheadMs!.p10)}, p90 ${ms(ours!.overheadMs!.p90)})`,
      met: median === undefined ? undefined : median < 150,
      ...(median !== undefined ? { marginText: `${median < 150 ? 'under' : 'over'} by ${ms(Math.abs(median - 150))}` } : {}),
    });
  }
  const settle = result?.settle;
  if (settle) {
    const lag = settle.animation.lagMs;
    const instantLag = settle.instant.lagMs;
    const worst = Math.max(lag?.p90 ?? Infinity, instantLag?.p90 ?? Infinity);
    targets.push({
      name: 'Settle returns soon after the screen is still',
      goal: 'within 100 ms (p90)',
      measured: `animation: median ${lag ? ms(lag.median) : '?'}, p90 ${lag ? ms(lag.p90) : '?'}; instant change: median ${instantLag ? ms(instantLag.median) : '?'}, p90 ${instantLag ? ms(instantLag.p90) : '?'}`,
      met: worst < 100,
      marginText: `${worst < 100 ? 'under' : 'over'} by ${ms(Math.abs(worst - 100))}`,
    });
    const early = settle.animation.returnedWhileChanging + settle.instant.returnedWhileChanging + settle.none.returnedWhileChanging;
    const runs = settle.animation.reps + settle.instant.reps + settle.none.reps;
    targets.push({
      name: 'Settle never returns while the screen is changing',
      goal: '0 runs',
      measured: `${early} of ${runs} runs (animation ${settle.animation.returnedWhileChanging}/${settle.animation.reps})`,
      met: early === 0,
    });
  }
  const typing = result?.actions?.type;
  if (typing?.performMs) {
    const exact = typing.verified === typing.reps;
    targets.push({
      name: `Typing ${typing.characters} mixed characters exactly`,
      goal: '< 300 ms, every character right',
      measured: `median ${ms(typing.performMs.median)} (p90 ${ms(typing.performMs.p90)}), exact ${typing.verified}/${typing.reps}`,
      met: exact && typing.performMs.median < 300,
      marginText: `${typing.performMs.median < 300 ? 'under' : 'over'} by ${ms(Math.abs(typing.performMs.median - 300))}`,
    });
  }
  const slow = tasks.find((task) => task.harness === 'deskpilot' && task.latencyMs === 1500);
  if (slow?.totalMs && slow.steps && slow.overIdeal !== undefined) {
    const ideal = slow.steps * slow.latencyMs;
    targets.push({
      name: `The ${slow.steps}-step task at 1.5 s model latency`,
      goal: `within 15 % of ${slow.steps} x 1.5 s (< ${(ideal * 1.15 / 1000).toFixed(2)} s)`,
      measured: `median ${(slow.totalMs.median / 1000).toFixed(2)} s, ${(slow.overIdeal * 100).toFixed(1)} % over`,
      met: slow.overIdeal <= 0.15,
      marginText: `${slow.overIdeal <= 0.15 ? 'under' : 'over'} by ${((slow.totalMs.median - ideal * 1.15) / 1000).toFixed(2)} s`,
    });
  }
  return targets;
}
