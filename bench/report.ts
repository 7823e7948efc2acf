import type { DesktopBenchResult } from './desktop-bench.ts';
import type { MachineDescription } from './machine.ts';
import type { SettleCaseResult, SettleResult } from './phases/settle.ts';
import type { Summary } from './stats.ts';
import type { PhaseMeans, Ratio, Target, TaskSummary } from './summary.ts';

// The Markdown the bench prints and the README shows. Pure: results in, text out.

export type BenchResults = {
  readonly version: 1;
  readonly date: string;
  readonly command: string;
  /** The commit measured, `+changes` when the checkout had uncommitted changes (absent in runs before it was recorded). */
  readonly commit?: string;
  readonly quick: boolean;
  readonly machine: MachineDescription;
  readonly settlePolicy: { readonly intervalMs: number; readonly quietMs: number; readonly noChangeMs: number; readonly capMs: number };
  readonly sizes: readonly DesktopBenchResult[];
  readonly tasks: readonly TaskSummary[];
  readonly ratios: readonly Ratio[];
  readonly targets: readonly Target[];
  readonly elapsedMs: number;
};

/** 7.9 ms, 45 ms, 1.52 s. */
export function formatMs(value: number): string {
  return `${bare(value, unitFor(value))} ${unitFor(value)}`;
}

type Unit = 'ms' | 's';
const unitFor = (value: number): Unit => (Math.abs(value) >= 1000 ? 's' : 'ms');

function bare(value: number, unit: Unit): string {
  if (unit === 's') return (value / 1000).toFixed(2);
  return Math.abs(value) < 10 ? value.toFixed(1) : String(Math.round(value));
}

/** "45 ms (38–60)": the median, then p10–p90 in the median's unit. */
export function formatSummary(summary: Summary | undefined, format?: (value: number) => string): string {
  if (!summary) return '–';
  if (format) return summary.n === 1 ? format(summary.median) : `${format(summary.median)} (${format(summary.p10)}–${format(summary.p90)})`;
  const unit = unitFor(summary.median);
  if (summary.n === 1) return `${bare(summary.median, unit)} ${unit}`;
  return `${bare(summary.median, unit)} ${unit} (${bare(summary.p10, unit)}–${bare(summary.p90, unit)})`;
}

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const sizeName = (result: DesktopBenchResult) => `${result.width}x${result.height}`;

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

function phaseRows(sizes: readonly DesktopBenchResult[]): string[][] {
  const rows: string[][] = [];
  const add = (name: string, cell: (result: DesktopBenchResult) => string) => rows.push([name, ...sizes.map(cell)]);
  add('capture: grab (nut-js `screen.grab`)', (r) => formatSummary(r.capture?.grabMs));
  add('capture: BGRA → RGB', (r) => formatSummary(r.capture?.convertMs));
  add('capture: resize + PNG (sharp)', (r) => formatSummary(r.capture?.resizeEncodeMs));
  add('capture, whole (`Screen.capture`)', (r) => formatSummary(r.capture?.captureMs));
  add('screenshot sent (default budget)', (r) =>
    r.capture ? `${r.capture.image.width}x${r.capture.image.height}, ${r.capture.imageTokens} tokens (full size ${r.capture.fullSizeTokens}), PNG ${r.capture.pngBytes ? kb(r.capture.pngBytes.median) : '?'}` : '–',
  );
  add('fingerprint (grab + SHA-1), once per settle look', (r) => formatSummary(r.capture?.fingerprintMs));
  add('request: `buildRequest` (3 screenshots, 9 past steps)', (r) => formatSummary(r.request?.buildMs, (value) => `${(value * 1000).toFixed(0)} µs`));
  add('request: serialise, send, read reply (AI SDK, client side)', (r) => formatSummary(r.request?.clientMs));
  add('request body (3 screenshots)', (r) => (r.request ? `${kb(r.request.bodyBytes)} (trace estimate ${kb(r.request.estimatedBytes)})` : '–'));
  add('act: click', (r) => withChecks(formatSummary(r.actions?.click.performMs), r.actions?.click));
  add('act: type 100 mixed characters (`Grüße, Zoë! @home…`)', (r) => withChecks(formatSummary(r.actions?.type.performMs), r.actions?.type, 'exact'));
  add('… until the text box holds all of it', (r) => formatSummary(r.actions?.type.deliveredMs));
  add('… the same through the clipboard (before: keys + paste)', (r) => withChecks(formatSummary(r.actions?.typeByClipboard?.performMs), r.actions?.typeByClipboard, 'exact'));
  add('typing stress: strings, characters, lost (Chromium · GTK · xterm)', (r) =>
    r.actions?.typeStress ? r.actions.typeStress.map((tally) => `${tally.strings} strings, ${tally.characters} chars, ${tally.lostCharacters} lost`).join(' · ') : '–',
  );
  add('act: type 100 plain ASCII characters', (r) => withChecks(formatSummary(r.actions?.typePlain.performMs), r.actions?.typePlain, 'exact'));
  add('act: type 100 ASCII characters with shifted symbols', (r) => withChecks(formatSummary(r.actions?.typeShifted.performMs), r.actions?.typeShifted, 'exact'));
  add('act: key combo (ctrl+a)', (r) => withChecks(formatSummary(r.actions?.key.performMs), r.actions?.key));
  add('act: scroll (3 notches)', (r) => withChecks(formatSummary(r.actions?.scroll.performMs), r.actions?.scroll));
  add('settle after an immediate change', (r) => settleCell(r.settle?.instant));
  add('settle after a 500 ms animation', (r) => settleCell(r.settle?.animation, true));
  add('settle after no change', (r) => (r.settle ? `${formatSummary(r.settle.none.settleMs)}${r.settle.none.misjudged ? `, ${r.settle.none.misjudged} saw a change` : ''}` : '–'));
  add('… polling (as before): after an immediate change', (r) => settleCell(r.settlePolling?.instant));
  add('… polling (as before): after a 500 ms animation', (r) => settleCell(r.settlePolling?.animation, true));
  add('… polling (as before): after no change', (r) => (r.settlePolling ? formatSummary(r.settlePolling.none.settleMs) : '–'));
  return rows;
}

function withChecks(text: string, result: { reps: number; verified: number } | undefined, word = 'confirmed'): string {
  if (!result || text === '–') return text;
  return `${text}, ${word} ${result.verified}/${result.reps}`;
}

function settleCell(result: SettleCaseResult | undefined, animation = false): string {
  if (!result) return '–';
  const parts = [`${formatSummary(result.settleMs)}; returns ${formatSummary(result.lagMs)} after the last frame`];
  if (result.pageReactionMs) parts.push(`the page drew the change ${formatSummary(result.pageReactionMs)} after the click`);
  if (animation) parts.push(`returned while changing ${result.returnedWhileChanging}/${result.reps}`);
  else if (result.returnedWhileChanging) parts.push(`returned while changing ${result.returnedWhileChanging}/${result.reps}`);
  if (animation && result.maxFrameGapMs) parts.push(`longest frame gap ${formatSummary(result.maxFrameGapMs)}`);
  return parts.join('; ');
}

const HARNESS_NAMES = {
  deskpilot: 'Deskpilot',
  before: 'Deskpilot before (one message re-sent each step, polling settle)',
  'fixed-waits': 'fixed waits (2 s after each action, nut-js default speeds)',
} as const;

function taskRows(tasks: readonly TaskSummary[]): string[][] {
  return tasks.map((task) => [
    task.display,
    HARNESS_NAMES[task.harness],
    task.prefill ? 'prefill model' : task.latencyMs === 0 ? '0' : `${task.latencyMs / 1000} s`,
    `${task.verifiedRuns}/${task.runs}`,
    formatSummary(task.totalMs),
    task.overIdeal === undefined ? '–' : `${task.overIdeal >= 0 ? '+' : ''}${(task.overIdeal * 100).toFixed(1)} %`,
    formatSummary(task.overheadMs),
  ]);
}

function phaseMeanRows(means: PhaseMeans): string[][] {
  const share = (value: number) => (means.overhead > 0 ? `${Math.round((value / means.overhead) * 100)} %` : '–');
  const line = (name: string, value: number): string[] => [name, formatMs(value), share(value)];
  return [
    line('capture (grab, convert, resize, PNG)', means.capture),
    line('request, client side (serialise, HTTP, parse)', means.clientRequest),
    line('trace (events, PNG to disk, fsync)', means.record),
    line('fingerprint before acting', means.beforeFingerprint),
    line('action (input)', means.action),
    ...(means.fixedWait > 0 ? [line('fixed wait', means.fixedWait)] : []),
    line('settle beyond the page’s own reaction', means.settleBeyondReaction),
    line('other (build request, parse reply, loop)', means.other),
    [ '**harness overhead**', `**${formatMs(means.overhead)}**`, '100 %' ],
    ['model server (latency, decoding, answering)', formatMs(means.server), ''],
    ['page reaction (from the looks, or the last drawing reported)', formatMs(means.appReaction), ''],
    ['step, wall', formatMs(means.wall), ''],
  ];
}

function sweepRows(base: SettleResult | undefined, sweep: readonly SettleResult[] | undefined): string[][] {
  const all = [...(base ? [base] : []), ...(sweep ?? [])];
  return all.map((result, index) => [
    `${result.constants.intervalMs} / ${result.constants.quietMs} / ${result.constants.noChangeMs}${index === 0 && base ? ' (default)' : ''}`,
    result.variant === 'confirmed' ? 'confirmed (bench/settle-variant.ts)' : 'as in agent/',
    result.load > 0 ? `${result.load} busy processes` : 'idle',
    formatSummary(result.instant.lagMs),
    formatSummary(result.animation.lagMs),
    `${result.animation.returnedWhileChanging + result.instant.returnedWhileChanging + result.none.returnedWhileChanging}/${result.animation.reps + result.instant.reps + result.none.reps}`,
    formatSummary(result.none.settleMs),
    formatSummary(result.animation.maxFrameGapMs),
  ]);
}

export function formatMarkdown(results: BenchResults): string {
  const { sizes, machine } = results;
  const main = sizes.find((size) => size.width === 1920) ?? sizes[0];
  const out: string[] = [];
  out.push(
    `Measured ${results.date.slice(0, 10)}${results.commit ? ` at commit ${results.commit}` : ''} on ${machine.cpuModel} (${machine.cores} cores), ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}; ${Math.round(machine.busyAtStart * 100)} % busy before the start, load average ${machine.loadAverage.start[0]} at the start and ${machine.loadAverage.end[0]} at the end${results.quick ? '; `--quick` (fewer repetitions)' : ''}. Medians, with p10–p90 in brackets.`,
  );
  out.push('');
  out.push('**Per phase** (Xvfb, kiosk Chromium on the test page, or on a page with a 500 ms animation for settle; the real ports; settle policy ' +
    `interval ${results.settlePolicy.intervalMs} ms, quiet ${results.settlePolicy.quietMs} ms, no-change ${results.settlePolicy.noChangeMs} ms)`);
  out.push('');
  out.push(table(['phase', ...sizes.map(sizeName)], phaseRows(sizes)));
  if (results.tasks.length > 0) {
    out.push('');
    out.push('**10-step task** (`runTask`: 9 actions of every kind, then `terminate`; AI SDK over HTTP to the loopback Qwen3-VL server; trace on disk; every run checked on the page)');
    out.push('');
    out.push(table(['display', 'harness', 'model latency', 'runs ok', 'whole task', 'over 10 x latency', 'harness overhead per action step'], taskRows(results.tasks)));
    if (results.ratios.length > 0) {
      out.push('');
      out.push(results.ratios.map((ratio) => `Fixed waits take **${ratio.ratio.toFixed(1)}x** as long at ${ratio.latencyMs === 0 ? '0' : `${ratio.latencyMs / 1000} s`} model latency (${formatMs(ratio.baselineMs)} vs ${formatMs(ratio.deskpilotMs)}).`).join(' '));
    }
  }
  const withPrompts = results.tasks.filter((task) => task.prompts);
  if (withPrompts.length > 0) {
    out.push('');
    out.push('**Input tokens per request** (as the loopback counts them: 4 characters a token, 32x32 pixels an image token; "shared" begins the previous request too, the part a prefix cache reuses; from step 2 on for the share)');
    out.push('');
    out.push(
      table(
        ['display', 'harness', 'model latency', 'input tokens', 'shared with the previous request', 'uncached', 'share shared (step 2 on)', 'steps under 60 %'],
        withPrompts.map((task) => [
          task.display,
          HARNESS_NAMES[task.harness],
          task.prefill ? 'prefill model' : task.latencyMs === 0 ? '0' : `${task.latencyMs / 1000} s`,
          formatSummary(task.prompts!.inputTokens, String),
          formatSummary(task.prompts!.sharedTokens, String),
          formatSummary(task.prompts!.uncachedTokens, String),
          formatSummary(task.prompts!.sharedShare, (value) => `${Math.round(value * 100)} %`),
          `${task.prompts!.breaks}`,
        ]),
      ),
    );
    const first = withPrompts.find((task) => task.harness === 'deskpilot');
    if (first?.prompts?.perStep.length) {
      out.push('');
      out.push(`Per step (first Deskpilot run): ${first.prompts.perStep.map((step) => `${step.step}: ${step.inputTokens} in, ${step.sharedTokens} shared`).join('; ')}.`);
    }
  }
  const mainName = main ? sizeName(main) : '';
  const ofMain = results.tasks.filter((task) => task.display === mainName && task.harness === 'deskpilot');
  const slow = ofMain.find((task) => task.latencyMs === 1500) ?? ofMain[0];
  if (slow?.meanPhasesMs) {
    out.push('');
    out.push(`**Where an action step's time goes** (Deskpilot, ${slow.display}, ${slow.latencyMs / 1000} s model latency, mean over the action steps of every run)`);
    out.push('');
    out.push(table(['part', 'mean', 'share of overhead'], phaseMeanRows(slow.meanPhasesMs)));
  }
  if (main?.settleSweep && main.settleSweep.length > 0) {
    out.push('');
    out.push(`**Settle constants tried** (${sizeName(main)}; interval / quiet / no-change in ms)`);
    out.push('');
    out.push(table(['constants', 'settle', 'machine', 'lag, immediate change', 'lag, animation', 'returned while changing', 'settle, no change', 'longest frame gap'], sweepRows(main.settle, main.settleSweep)));
  }
  const memory = sizes.find((size) => size.memory)?.memory;
  if (memory) {
    const first = memory.afterGc.find((sample) => sample.step === 10);
    const last = memory.afterGc.at(-1);
    out.push('');
    out.push(
      `**Memory over a ${memory.steps}-step run** (${memory.outcome}, ${formatMs(memory.totalMs)}): peak RSS ${memory.peakRssMb} MB (process peak ${memory.processMaxRssMb} MB), peak heap ${memory.peakHeapUsedMb} MB; ` +
        `heap after GC ${first?.heapUsedMb ?? '?'} MB at step 10, ${last?.heapUsedMb ?? '?'} MB at step ${last?.step ?? '?'} ` +
        `(${memory.heapGrowthPerStepKb ?? '?'} KB per step; RSS ${memory.rssGrowthPerStepKb ?? '?'} KB per step).`,
    );
  }
  if (results.targets.length > 0) {
    out.push('');
    out.push('**Targets**');
    out.push('');
    out.push(table(['target', 'goal', 'measured', 'met'], results.targets.map((target) => [target.name, target.goal, target.measured, target.met === undefined ? '–' : target.met ? `yes${target.marginText ? ` (${target.marginText})` : ''}` : `**no** (${target.marginText ?? 'missed'})`])));
  }
  return `${out.join('\n')}\n`;
}
