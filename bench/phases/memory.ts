import { longScript } from '../task-scripts.ts';
import { runBenchTask } from './task.ts';
import type { BenchContext } from './context.ts';

// Memory over a long run: a 50-step run (49 actions, then `terminate`) with the trace on disk, as
// `deskpilot run` has it. The heap is measured after a full garbage collection every ten steps, so
// what is left is what the run keeps: with old screenshots dropped from the context and written to
// the trace, it must not grow with the step count.

export type MemorySample = { readonly step: number; readonly rssMb: number; readonly heapUsedMb: number; readonly externalMb: number; readonly arrayBuffersMb: number };

export type MemoryResult = {
  readonly steps: number;
  readonly outcome: string;
  readonly totalMs: number;
  readonly problems: readonly string[];
  /** Highest RSS seen at any event of the run. */
  readonly peakRssMb: number;
  /** Highest heap in use seen at any event of the run (before collection). */
  readonly peakHeapUsedMb: number;
  /** The process's own peak RSS since it started (`process.resourceUsage().maxRSS`). */
  readonly processMaxRssMb: number;
  /** After a full collection, every ten steps. */
  readonly afterGc: readonly MemorySample[];
  /** Heap after collection at step 50 less at step 10, per step. */
  readonly heapGrowthPerStepKb: number | undefined;
  readonly rssGrowthPerStepKb: number | undefined;
};

const mb = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));

export async function measureMemory(context: BenchContext, steps = 50): Promise<MemoryResult> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) context.log('memory: run node with --expose-gc for heap figures after collection; showing them without');
  const afterGc: MemorySample[] = [];
  const raw = new Map<number, NodeJS.MemoryUsage>();
  let peakRss = 0;
  let peakHeap = 0;
  const run = await runBenchTask(context, {
    harness: 'deskpilot',
    latencyMs: 0,
    script: longScript(steps - 1),
    goal: 'Work through the test page again and again',
    maxSteps: steps,
    onEvent: (event) => {
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
      const step = event.type === 'step-acted' ? event.step : event.type === 'run-ended' ? event.steps : undefined;
      if (step === undefined || (event.type === 'step-acted' && step % 10 !== 0)) return;
      collect?.();
      const after = process.memoryUsage();
      raw.set(step, after);
      afterGc.push({ step, rssMb: mb(after.rss), heapUsedMb: mb(after.heapUsed), externalMb: mb(after.external), arrayBuffersMb: mb(after.arrayBuffers) });
    },
  });
  const first = raw.get(10);
  const last = raw.get(steps);
  const perStep = (pick: (usage: NodeJS.MemoryUsage) => number) => (first && last ? Number(((pick(last) - pick(first)) / 1024 / (steps - 10)).toFixed(1)) : undefined);
  return {
    steps: run.steps,
    outcome: run.outcome,
    totalMs: Math.round(run.totalMs),
    problems: run.problems,
    peakRssMb: mb(peakRss),
    peakHeapUsedMb: mb(peakHeap),
    processMaxRssMb: mb(process.resourceUsage().maxRSS * 1024),
    afterGc,
    heapGrowthPerStepKb: perStep((usage) => usage.heapUsed),
    rssGrowthPerStepKb: perStep((usage) => usage.rss),
  };
}
