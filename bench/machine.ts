import { readFileSync } from 'node:fs';
import os from 'node:os';

export type MachineDescription = {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
  /** 1, 5 and 15 minute load averages: other work on the machine inflates every figure. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  /** Share of the cores busy in the second before the bench started (0..1). */
  readonly busyAtStart: number;
};

export function loadAverage(): number[] {
  return os.loadavg().map((value) => Number(value.toFixed(2)));
}

export function describeMachine(loadAtStart: readonly number[], busyAtStart: number): MachineDescription {
  let distribution = '';
  try {
    distribution = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    /* not Linux, or no os-release */
  }
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    memoryGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.versions.node,
    os: `${distribution || os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
    loadAverage: { start: [...loadAtStart], end: loadAverage() },
    busyAtStart,
  };
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

/** Share of all cores busy over the next `ms` (0..1), whoever keeps them busy. */
export async function cpuBusy(ms = 1000): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? Number(((after.busy - before.busy) / total).toFixed(2)) : 0;
}

/**
 * Waits until the machine has been quiet (under `threshold` busy) for `quietSeconds` in a row, or
 * `timeoutSeconds` pass; returns whether it got quiet. Other work on a small machine shows in
 * every figure, so a benchmark is better started on an idle one.
 */
export async function waitForIdle(log: (line: string) => void, threshold = 0.25, quietSeconds = 5, timeoutSeconds = 600): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let quiet = 0;
  let said = false;
  while (Date.now() < deadline) {
    const busy = await cpuBusy(1000);
    quiet = busy < threshold ? quiet + 1 : 0;
    if (quiet >= quietSeconds) return true;
    if (!said && busy >= threshold) {
      log(`Waiting for the machine to be idle (now ${Math.round(busy * 100)} % busy)...`);
      said = true;
    }
  }
  return false;
}
