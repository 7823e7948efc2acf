import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GrabScreen } from '../native/grab-screen.ts';
import { openDesktop } from '../native/nut-desktop.ts';
import { launchKioskChromium } from '../test/support/chromium.ts';
import { startVirtualDesktop } from '../test/support/virtual-desktop.ts';
import { measureActions, type ActionsResult } from './phases/actions.ts';
import { measureCapture, type CaptureResult } from './phases/capture.ts';
import type { BenchContext } from './phases/context.ts';
import { measureMemory, type MemoryResult } from './phases/memory.ts';
import { measureRequest, type RequestResult } from './phases/request.ts';
import { measureSettle, policySettleConstants, type SettleConstants, type SettleResult, type SettleVariant } from './phases/settle.ts';
import { runBenchTask, type TaskRun } from './phases/task.ts';
import { ownChildren, stopAfterExit } from './own-children.ts';
import { servePages } from './serve-pages.ts';
import { interleave, parseTaskPlans } from './task-plan.ts';
import { TASK_GOAL, tenStepProblems, tenStepScript } from './task-scripts.ts';

// One display size in one process (nut-js binds to the DISPLAY it first sees, once per process):
// starts Xvfb, kiosk Chromium and the pages, runs the phases asked for, writes a JSON file.
// `bench/run.ts` starts one of these per display size and puts the results together.

export type DesktopBenchResult = {
  readonly width: number;
  readonly height: number;
  readonly capture?: CaptureResult;
  readonly request?: RequestResult;
  readonly actions?: ActionsResult;
  readonly settle?: SettleResult;
  /** The same cases settled by looking, as before change events (`polling`). */
  readonly settlePolling?: SettleResult;
  /** The same cases with other settle constants, to see what changing the policy would do. */
  readonly settleSweep?: readonly SettleResult[];
  readonly tasks?: readonly TaskRun[];
  readonly memory?: MemoryResult;
  readonly elapsedMs: number;
};

export const PHASES = ['capture', 'request', 'actions', 'settle', 'sweep', 'tasks', 'memory'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * What the sweep tries beside the default: faster looks with shorter quiet and no-change waits,
 * the confirmed variant (bench/settle-variant.ts), and both with the CPU kept busy by two
 * processes, as other work on a 2-core machine would.
 */
export const SWEEP: readonly { readonly constants?: Partial<SettleConstants>; readonly variant: SettleVariant; readonly load: number }[] = [
  { constants: { intervalMs: 20, quietMs: 60, noChangeMs: 150 }, variant: 'policy', load: 0 },
  { constants: { intervalMs: 20, quietMs: 60, noChangeMs: 150 }, variant: 'confirmed', load: 0 },
  { constants: { intervalMs: 15, quietMs: 50, noChangeMs: 150 }, variant: 'confirmed', load: 0 },
  { variant: 'policy', load: 2 },
  { variant: 'confirmed', load: 2 },
  { constants: { intervalMs: 20, quietMs: 60, noChangeMs: 150 }, variant: 'confirmed', load: 2 },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      width: { type: 'string', default: '1920' },
      height: { type: 'string', default: '1080' },
      phases: { type: 'string', default: 'capture,request,actions,settle,tasks' },
      tasks: { type: 'string', default: 'deskpilot@0x3' },
      quick: { type: 'boolean', default: false },
      'memory-steps': { type: 'string', default: '50' },
      out: { type: 'string' },
    },
  });
  const width = Number(values.width);
  const height = Number(values.height);
  const phases = new Set(values.phases.split(',').map((phase) => phase.trim()).filter(Boolean));
  for (const phase of phases) if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`Unknown phase '${phase}'; known: ${PHASES.join(', ')}.`);
  const started = performance.now();
  const log = (line: string) => process.stderr.write(`[${width}x${height} ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

  // Xvfb is not stopped by hand: libnut keeps its X connection open and would end the process with
  // an X IO error the moment the server goes away. It is killed when this process exits.
  const exitListeners = new Set(process.listeners('exit'));
  const virtual = await startVirtualDesktop({ width, height });
  const xvfb = ownChildren('Xvfb');
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    process.env.DISPLAY = virtual.display;
    const pages = await servePages();
    cleanup.unshift(() => pages.close());
    const browser = await launchKioskChromium({ display: virtual.display, url: pages.testPageUrl, width, height, extraArgs: ['--disable-smooth-scrolling'] });
    cleanup.unshift(() => browser.close());
    const desktop = await openDesktop();
    const nut = await import('@nut-tree-fork/nut-js');
    const pollingScreen = new GrabScreen(nut.screen);
    const context: BenchContext = { width, height, quick: values.quick, virtual, desktop, pollingScreen, browser, pages, nut, log };
    log(`settle: ${desktop.screen.changes ? 'X11 DAMAGE events' : 'polling only (no DAMAGE)'}; typing: ${desktop.typing}`);
    log(`Xvfb ${virtual.display}, kiosk Chromium up`);

    const result: { -readonly [K in keyof DesktopBenchResult]: DesktopBenchResult[K] } = { width, height, elapsedMs: 0 };
    if (phases.has('memory')) {
      // First, so that the process's peak RSS is this run's.
      const steps = Number(values['memory-steps']);
      log(`memory: ${steps}-step run`);
      result.memory = await measureMemory(context, steps);
    }
    if (phases.has('capture')) {
      log('capture');
      result.capture = await measureCapture(context);
    }
    if (phases.has('request')) {
      log('request');
      result.request = await measureRequest(context);
    }
    if (phases.has('actions')) {
      log('actions');
      result.actions = await measureActions(context);
    }
    if (phases.has('settle')) {
      log('settle');
      result.settle = await measureSettle(context);
      log('settle, polling (as before)');
      result.settlePolling = await measureSettle(context, { variant: 'polling' });
    }
    if (phases.has('sweep')) {
      const sweep: SettleResult[] = [];
      for (const trial of SWEEP) {
        log(`settle sweep ${JSON.stringify(trial)}`);
        sweep.push(await measureSettle(context, { constants: { ...policySettleConstants(), ...trial.constants }, variant: trial.variant, load: trial.load, reps: values.quick ? 3 : 6 }));
      }
      result.settleSweep = sweep;
    }
    if (phases.has('tasks')) {
      const tasks: TaskRun[] = [];
      for (const { harness, latencyMs: latency } of interleave(parseTaskPlans(values.tasks))) {
        const latencyMs = latency === 'prefill' ? 0 : latency;
        const run = await runBenchTask(context, {
          harness,
          latencyMs,
          prefill: latency === 'prefill',
          script: tenStepScript(),
          goal: TASK_GOAL,
          maxSteps: 12,
          verify: async () => tenStepProblems(await browser.events()),
        });
        log(`task ${harness} at ${latency === 'prefill' ? 'prefill-model' : `${latencyMs} ms`} latency: ${run.outcome} in ${(run.totalMs / 1000).toFixed(2)} s, ${run.steps} steps${run.problems.length ? `; PROBLEMS: ${run.problems.join('; ')}` : ''}`);
        tasks.push(run);
      }
      result.tasks = tasks;
    }
    result.elapsedMs = Math.round(performance.now() - started);
    const json = JSON.stringify(result, null, 1);
    if (values.out) writeFileSync(values.out, json);
    else process.stdout.write(`${json}\n`);
    // Done: Xvfb is stopped by a watcher once this process is gone, not on the way out.
    stopAfterExit(xvfb);
    for (const listener of process.listeners('exit')) if (!exitListeners.has(listener)) process.removeListener('exit', listener);
  } finally {
    for (const step of cleanup) await step().catch(() => undefined);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`desktop bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
