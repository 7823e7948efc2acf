// Which whole-task runs a display size gets, written `harness@latencyMsxRuns` on the command line of
// desktop-bench.ts, and the order they run in.

export type Harness = 'deskpilot' | 'fixed-waits';

export type TaskPlan = { readonly harness: Harness; readonly latencyMs: number; readonly runs: number };

/** "deskpilot@0x5,fixed-waits@1500x1" -> plans. */
export function parseTaskPlans(text: string): TaskPlan[] {
  if (text.trim() === '') return [];
  return text.split(',').map((item) => {
    const match = /^(deskpilot|fixed-waits)@(\d+)x(\d+)$/.exec(item.trim());
    if (!match) throw new Error(`Cannot read the task plan '${item}': write harness@latencyMsxRuns, e.g. deskpilot@1500x3.`);
    return { harness: match[1] as Harness, latencyMs: Number(match[2]), runs: Number(match[3]) };
  });
}

/** Runs of several plans interleaved (A B C A B A ...), so a slow spell of the machine is shared. */
export function interleave(plans: readonly TaskPlan[]): { harness: Harness; latencyMs: number }[] {
  const order: { harness: Harness; latencyMs: number }[] = [];
  const most = Math.max(0, ...plans.map((plan) => plan.runs));
  for (let round = 0; round < most; round++) {
    for (const plan of plans) if (round < plan.runs) order.push({ harness: plan.harness, latencyMs: plan.latencyMs });
  }
  return order;
}
