// Which whole-task runs a display size gets, written `harness@latencyMsxRuns` on the command line of
// desktop-bench.ts, and the order they run in.

/** `before`: Deskpilot as it was before settling on events and laying requests out for caching (single-message requests, polling settle, every frame grabbed). */
export type Harness = 'deskpilot' | 'before' | 'fixed-waits';

/** `prefill`: the loopback charges a fixed part plus prefill for uncached input tokens (PREFILL_LATENCY) instead of a fixed delay. */
export type Latency = number | 'prefill';

export type TaskPlan = { readonly harness: Harness; readonly latencyMs: Latency; readonly runs: number };

/** What a real server would recompute: 0.5 s a request plus 0.25 s per 1,000 input tokens not in its prefix cache. */
export const PREFILL_LATENCY = { fixedMs: 500, prefillMsPer1000: 250 } as const;

/** "deskpilot@0x5,before@prefillx1,fixed-waits@1500x1" -> plans. */
export function parseTaskPlans(text: string): TaskPlan[] {
  if (text.trim() === '') return [];
  return text.split(',').map((item) => {
    const match = /^(deskpilot|before|fixed-waits)@(\d+|prefill)x(\d+)$/.exec(item.trim());
    if (!match) throw new Error(`Cannot read the task plan '${item}': write harness@latencyMsxRuns, e.g. deskpilot@1500x3 or before@prefillx1.`);
    return { harness: match[1] as Harness, latencyMs: match[2] === 'prefill' ? 'prefill' : Number(match[2]), runs: Number(match[3]) };
  });
}

/** Runs of several plans interleaved (A B C A B A ...), so a slow spell of the machine is shared. */
export function interleave(plans: readonly TaskPlan[]): { harness: Harness; latencyMs: Latency }[] {
  const order: { harness: Harness; latencyMs: Latency }[] = [];
  const most = Math.max(0, ...plans.map((plan) => plan.runs));
  for (let round = 0; round < most; round++) {
    for (const plan of plans) if (round < plan.runs) order.push({ harness: plan.harness, latencyMs: plan.latencyMs });
  }
  return order;
}
