import type { SettleOptions, SettleResult } from '../agent/loop/settle.ts';

// A variant of agent/loop/settle.ts's `waitForStillScreen`, measured by the bench beside the real
// one; the agent does not use it. The real one starts the quiet time at the call, before its first
// look, so when that single look takes longer than `quietMs` (a slow grab on a busy machine, a big
// screen) it reports a screen that is still changing as settled, after one look. This one starts
// the quiet time when a change was seen and returns only after a later look agreed.

export async function waitForConfirmedStillScreen(options: SettleOptions): Promise<SettleResult> {
  const { screen, clock, signal } = options;
  const start = clock.now();
  let last = await screen.fingerprint(signal);
  let lastChangeAt = clock.now();
  let changed = last !== options.before;
  let confirmed = false;
  for (;;) {
    const now = clock.now();
    const quietFor = now - lastChangeAt;
    if (changed && confirmed && quietFor >= options.quietMs) return { settled: true, changed, ms: now - start };
    if (!changed && now - start >= options.noChangeMs) return { settled: true, changed, ms: now - start };
    if (now - start >= options.capMs) return { settled: false, changed, ms: now - start };
    await clock.sleep(options.intervalMs, signal);
    const current = await screen.fingerprint(signal);
    if (current !== last) {
      last = current;
      lastChangeAt = clock.now();
      changed = changed || current !== options.before;
      confirmed = false;
    } else {
      confirmed = true;
    }
  }
}
