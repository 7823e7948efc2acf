import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../../agent/abort.ts';
import { AutoApprover } from '../../agent/auto-approver.ts';
import { screenPoint } from '../../agent/geometry.ts';
import { createModel } from '../../agent/model/providers.ts';
import type { RunPolicyInput } from '../../agent/policy.ts';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import type { RunEvent, RunResult } from '../../agent/run-events.ts';
import { runTask } from '../../agent/run-task.ts';
import { openRunTrace } from '../../native/trace/open-run-trace.ts';
import type { ScriptStep } from '../../test/support/qwen-loopback/script.ts';
import { startQwenLoopback } from '../../test/support/qwen-loopback/server.ts';
import { PeerPacedInput } from '../peer-paced-input.ts';
import { PREFILL_LATENCY, type Harness } from '../task-plan.ts';
import { TimedInput, TimedModel, TimedScreen, Timeline, watchServerRequests } from '../timed-ports.ts';
import { breakDownSteps, type StepBreakdown } from '../timeline.ts';
import { showPage, untilStill, type BenchContext } from './context.ts';

// A whole run through `runTask` with the real screen and input, the AI SDK model talking HTTP to
// the loopback Qwen3-VL server, the auto approver and the trace written to disk, as `deskpilot run
// --yes` does. The baseline runs the same loop with the input paced as nut-js's defaults pace it,
// a 2 s sleep after every action, and no look at the screen while settling.


export type TaskRun = {
  readonly harness: Harness;
  readonly latencyMs: number;
  readonly outcome: RunResult['outcome'];
  readonly reason: string;
  readonly steps: number;
  readonly totalMs: number;
  /** What the page says went wrong; empty when every effect happened. */
  readonly problems: readonly string[];
  readonly breakdown: readonly StepBreakdown[];
  /** The loopback charged prefill for uncached input tokens (PREFILL_LATENCY) instead of `latencyMs`. */
  readonly prefill?: boolean;
  /** Per model request: input tokens, and how many of them begin the previous request too (what a prefix cache reuses). */
  readonly prompts?: readonly PromptTokens[];
};

export type PromptTokens = { readonly step: number; readonly attempt: number; readonly inputTokens: number; readonly sharedTokens: number };

export type TaskOptions = {
  readonly harness: Harness;
  readonly latencyMs: number;
  readonly prefill?: boolean;
  readonly script: readonly ScriptStep[];
  readonly goal: string;
  readonly maxSteps: number;
  /** Checks the page after the run; returns what went wrong. */
  readonly verify?: () => Promise<string[]>;
  /** Sees every event after the trace has (memory sampling). */
  readonly onEvent?: (event: RunEvent) => void;
};

export async function runBenchTask(context: BenchContext, options: TaskOptions): Promise<TaskRun> {
  await showPage(context, context.pages.testPageUrl);
  await context.browser.clearEvents();
  // Every run starts with the pointer in the same corner: the baseline's glides depend on it.
  await context.desktop.input.perform({ kind: 'move', to: screenPoint(5, 5) });
  await untilStill(context, 150);

  const timeline = new Timeline();
  const loopback = await startQwenLoopback({
    script: options.script,
    ...(options.prefill ? { latency: PREFILL_LATENCY } : { latencyMs: options.latencyMs }),
    isRetry: new RegExp(REASK_MARKER),
  });
  const prompts: PromptTokens[] = [];
  const unwatch = watchServerRequests((entry) => timeline.add(entry));
  const traceRoot = mkdtempSync(path.join(tmpdir(), 'deskpilot-bench-trace-'));
  const settings = { provider: 'openai-compatible' as const, model: loopback.modelId, baseURL: loopback.baseURL };
  const trace = openRunTrace({ kind: 'run', goal: options.goal, runsDir: traceRoot, secrets: [], settings });
  const baseline = options.harness === 'fixed-waits';
  const before = options.harness === 'before';
  const nut = context.nut;
  const input = baseline
    ? new PeerPacedInput({
        inner: context.desktop.input,
        pointer: () => nut.mouse.getPosition(),
        onFixedWait: (start, end) => timeline.add({ kind: 'fixed-wait', start, end }),
      })
    : context.desktop.input;
  // The baseline's settle returns at once (its fixed wait is in its input); ours is the default policy.
  // `before` is the loop as it was: one user message re-sent every step, old screenshots dropped one a step, settle by looking.
  const policy: RunPolicyInput = baseline
    ? { maxSteps: options.maxSteps, settleCapMs: 0, settleQuietMs: 0, settleNoChangeMs: 0 }
    : before
      ? { maxSteps: options.maxSteps, contextLayout: 'single-message', screenshotTrimChunk: 0 }
      : { maxSteps: options.maxSteps };
  const screen = before ? context.pollingScreen : context.desktop.screen;
  let result: RunResult;
  try {
    result = await runTask({
      goal: options.goal,
      policy,
      ports: {
        screen: new TimedScreen(screen, timeline, { blind: baseline }),
        input: new TimedInput(input, timeline),
        model: new TimedModel(createModel(settings), timeline),
        approver: new AutoApprover(),
        clock: systemClock,
      },
      onEvent: (event) => {
        const start = performance.now();
        trace.recorder.onEvent(event);
        timeline.add({ kind: 'record', start, end: performance.now(), event: event.type });
        // The loopback keeps every request it served, decoded screenshot included (3.7 MB each at
        // 1504x832), for tests to inspect; dropped here, so the memory measured is the harness's.
        if (event.type === 'model-replied') {
          const served = loopback.requests.at(-1);
          if (served) prompts.push({ step: event.step, attempt: event.attempt, inputTokens: served.prompt.tokens, sharedTokens: served.prompt.sharedWithPrevious });
          (loopback.requests as unknown[]).length = 0;
        }
        options.onEvent?.(event);
      },
    });
    const end = performance.now();
    timeline.add({ kind: 'run-end', start: end, end });
  } finally {
    unwatch();
    trace.close();
    await loopback.close();
    rmSync(traceRoot, { recursive: true, force: true });
  }
  const problems = result.outcome === 'done' ? ((await options.verify?.()) ?? []) : [result.reason];
  return {
    harness: options.harness,
    latencyMs: options.latencyMs,
    outcome: result.outcome,
    reason: result.reason,
    steps: result.steps,
    totalMs: result.durationMs,
    problems,
    breakdown: breakDownSteps(timeline.entries),
    ...(options.prefill ? { prefill: true } : {}),
    prompts,
  };
}
