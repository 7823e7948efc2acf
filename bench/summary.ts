import type { DesktopBenchResult } from './desktop-bench.ts';
import type { SettleResult } from './phases/settle.ts';
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
  /** The loopback charged prefill for uncached input tokens instead of a fixed latency. */
  readonly prefill?: boolean;
  /** Per model request (first asks, every run): input tokens, those shared with the previous request, the rest. */
  readonly prompts?: PromptSummary;
};

export type PromptSummary = {
  readonly requests: number;
  readonly inputTokens: Summary | undefined;
  readonly sharedTokens: Summary | undefined;
  readonly uncachedTokens: Summary | undefined;
  /** Share of a request's input that begins the previous request too, from the second step on. */
  readonly sharedShare: Summary | undefined;
  /** Steps from the second on whose shared share was under 60 % (where the prefix broke). */
  readonly breaks: number;
  /** Per step of the first run: input / shared. */
  readonly perStep: readonly { readonly step: number; readonly inputTokens: number; readonly sharedTokens: number }[];
};

export function summarizePrompts(runs: readonly TaskRun[]): PromptSummary | undefined {
  const all = runs.flatMap((run) => run.prompts ?? []);
  if (all.length === 0) return undefined;
  const steady = all.filter((prompt) => prompt.step >= 2);
  const share = (prompt: { inputTokens: number; sharedTokens: number }) => (prompt.inputTokens > 0 ? prompt.sharedTokens / prompt.inputTokens : 0);
  return {
    requests: all.length,
    inputTokens: rounded(summarize(all.map((prompt) => prompt.inputTokens)), 0),
    sharedTokens: rounded(summarize(all.map((prompt) => prompt.sharedTokens)), 0),
    uncachedTokens: rounded(summarize(all.map((prompt) => prompt.inputTokens - prompt.sharedTokens)), 0),
    sharedShare: rounded(summarize(steady.map(share)), 3),
    breaks: steady.filter((prompt) => share(prompt) < 0.6).length,
    perStep: (runs[0]?.prompts ?? []).map((prompt) => ({ step: prompt.step, inputTokens: prompt.inputTokens, sharedTokens: prompt.sharedTokens })),
  };
}

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
    const key = `${run.harness}@${run.prefill ? 'prefill' : run.latencyMs}`;
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
      ...(first.prefill ? { prefill: true } : {}),
      ...(summarizePrompts(group) ? { prompts: summarizePrompts(group)! } : {}),
      overIdeal: total && steps && first.latencyMs > 0 && !first.prefill ? Number((total.median / (steps * first.latencyMs) - 1).toFixed(3)) : undefined,
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
    const ours = tasks.find((task) => task.harness === 'deskpilot' && task.display === baseline.display && task.latencyMs === baseline.latencyMs && !task.prefill);
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

const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

/** The issue's targets, judged on the first display size (1920x1080), each beside the figure of the loop as it was before (`before` harness, polling settle) in the same run. */
export function judgeTargets(result: DesktopBenchResult | undefined, allTasks: readonly TaskSummary[]): Target[] {
  const targets: Target[] = [];
  const display = result ? `${result.width}x${result.height}` : allTasks[0]?.display;
  const tasks = allTasks.filter((task) => task.display === display);
  const find = (harness: TaskSummary['harness'], latencyMs: number, prefill = false) => tasks.find((task) => task.harness === harness && task.latencyMs === latencyMs && (task.prefill ?? false) === prefill);
  const overhead = (task: TaskSummary | undefined) => (task?.overheadMs ? `median ${ms(task.overheadMs.median)} (p10 ${ms(task.overheadMs.p10)}, p90 ${ms(task.overheadMs.p90)})` : 'not measured');
  const beside = (text: string | undefined) => (text ? `; before: ${text}` : '');
  for (const latencyMs of [1500, 0]) {
    const ours = find('deskpilot', latencyMs);
    const median = ours?.overheadMs?.median;
    const before = find('before', latencyMs);
    targets.push({
      name: `Harness overhead per action step (${latencyMs / 1000} s model latency)`,
      goal: 'median < 120 ms',
      measured: `${overhead(ours)}${beside(before ? overhead(before) : undefined)}`,
      met: median === undefined ? undefined : median < 120,
      ...(median !== undefined ? { marginText: `${median < 120 ? 'under' : 'over'} by ${ms(Math.abs(median - 120))}` } : {}),
    });
  }
  const settle = result?.settle;
  const polling = result?.settlePolling;
  if (settle) {
    const lagText = (of: SettleResult | undefined) =>
      of ? `immediate change p90 ${of.instant.lagMs ? ms(of.instant.lagMs.p90) : '?'} (median ${of.instant.lagMs ? ms(of.instant.lagMs.median) : '?'}), animation p90 ${of.animation.lagMs ? ms(of.animation.lagMs.p90) : '?'}` : undefined;
    const worst = Math.max(settle.animation.lagMs?.p90 ?? Infinity, settle.instant.lagMs?.p90 ?? Infinity);
    targets.push({
      name: 'Settle returns soon after the last frame',
      goal: 'within 60 ms (p90)',
      measured: `${lagText(settle)}${beside(lagText(polling))}`,
      met: worst <= 60,
      marginText: `${worst <= 60 ? 'under' : 'over'} by ${ms(Math.abs(worst - 60))}`,
    });
    const none = settle.none.settleMs?.median;
    targets.push({
      name: 'An action that changes nothing settles',
      goal: 'median < 120 ms',
      measured: `median ${none !== undefined ? ms(none) : '?'}, p90 ${settle.none.settleMs ? ms(settle.none.settleMs.p90) : '?'}${beside(polling?.none.settleMs ? `median ${ms(polling.none.settleMs.median)}` : undefined)}`,
      met: none === undefined ? undefined : none < 120,
      ...(none !== undefined ? { marginText: `${none < 120 ? 'under' : 'over'} by ${ms(Math.abs(none - 120))}` } : {}),
    });
    const early = (of: SettleResult) => of.animation.returnedWhileChanging + of.instant.returnedWhileChanging + of.none.returnedWhileChanging;
    const runs = (of: SettleResult) => of.animation.reps + of.instant.reps + of.none.reps;
    targets.push({
      name: 'Settle never returns while the screen is changing',
      goal: '0 runs',
      measured: `${early(settle)} of ${runs(settle)} runs (animation ${settle.animation.returnedWhileChanging}/${settle.animation.reps})${beside(polling ? `${early(polling)} of ${runs(polling)}` : undefined)}`,
      met: early(settle) === 0,
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
  const slow = find('deskpilot', 1500);
  if (slow?.totalMs && slow.steps && slow.overIdeal !== undefined) {
    const ideal = slow.steps * slow.latencyMs;
    const before = find('before', 1500);
    targets.push({
      name: `The ${slow.steps}-step task at 1.5 s model latency`,
      goal: `within 8 % of ${slow.steps} x 1.5 s (< ${((ideal * 1.08) / 1000).toFixed(2)} s)`,
      measured: `median ${(slow.totalMs.median / 1000).toFixed(2)} s, ${(slow.overIdeal * 100).toFixed(1)} % over${beside(before?.totalMs && before.overIdeal !== undefined ? `${(before.totalMs.median / 1000).toFixed(2)} s, ${(before.overIdeal * 100).toFixed(1)} % over` : undefined)}`,
      met: slow.overIdeal <= 0.08,
      marginText: `${slow.overIdeal <= 0.08 ? 'under' : 'over'} by ${(Math.abs(slow.totalMs.median - ideal * 1.08) / 1000).toFixed(2)} s`,
    });
  }
  const cached = find('deskpilot', 0, true);
  const cachedBefore = find('before', 0, true);
  if (cached?.totalMs && cachedBefore?.totalMs) {
    const faster = 1 - cached.totalMs.median / cachedBefore.totalMs.median;
    targets.push({
      name: 'The 10-step task under the prefill latency model (0.5 s + 0.25 s per 1,000 uncached input tokens)',
      goal: 'at least 25 % faster than the layout before',
      measured: `median ${(cached.totalMs.median / 1000).toFixed(2)} s; before: ${(cachedBefore.totalMs.median / 1000).toFixed(2)} s; ${pct(faster)} faster`,
      met: faster >= 0.25,
      marginText: `${faster >= 0.25 ? 'over' : 'under'} the goal by ${pct(Math.abs(faster - 0.25))}`,
    });
  }
  const prompts = (cached ?? slow)?.prompts;
  const promptsBefore = (cachedBefore ?? find('before', 1500))?.prompts;
  if (prompts?.sharedShare) {
    const share = prompts.sharedShare.median;
    const text = (of: PromptSummary) =>
      `median ${of.sharedShare ? pct(of.sharedShare.median) : '?'} of ${of.inputTokens?.median ?? '?'} input tokens shared (min ${of.sharedShare ? pct(of.sharedShare.min) : '?'}; ${of.breaks} step(s) under 60 %), ${of.uncachedTokens?.median ?? '?'} uncached`;
    targets.push({
      name: 'Input tokens shared with the previous request (steady state, from step 2)',
      goal: 'at least 60 %',
      measured: `${text(prompts)}${beside(promptsBefore ? text(promptsBefore) : undefined)}`,
      met: share >= 0.6,
      marginText: `${share >= 0.6 ? 'over' : 'under'} by ${pct(Math.abs(share - 0.6))}`,
    });
  }
  return targets;
}
