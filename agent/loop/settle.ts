import type { Clock, Screen } from '../ports.ts';

export type SettleOptions = {
  readonly screen: Screen;
  readonly clock: Clock;
  /** The fingerprint taken just before the action, to tell a reaction from no reaction. */
  readonly before: string;
  readonly capMs: number;
  readonly intervalMs: number;
  readonly quietMs: number;
  readonly noChangeMs: number;
  readonly signal?: AbortSignal;
};

export type SettleResult = {
  /** False when the cap was reached with the screen still changing. */
  readonly settled: boolean;
  /** Whether the screen differs from before the action. */
  readonly changed: boolean;
  readonly ms: number;
};

/**
 * Waits until the screen stops changing, by cheap successive fingerprints, instead of a fixed
 * sleep. A screen that changed must then stay the same for `quietMs`; a screen that has not changed
 * yet gets `noChangeMs` for a late reaction (an application that redraws after a delay).
 */
export async function waitForStillScreen(options: SettleOptions): Promise<SettleResult> {
  const { screen, clock, signal } = options;
  const start = clock.now();
  let last = await screen.fingerprint(signal);
  let lastChangeAt = start;
  let changed = last !== options.before;
  for (;;) {
    const now = clock.now();
    const quietFor = now - lastChangeAt;
    if (changed && quietFor >= options.quietMs) return { settled: true, changed, ms: now - start };
    if (!changed && quietFor >= options.noChangeMs) return { settled: true, changed, ms: now - start };
    if (now - start >= options.capMs) return { settled: false, changed, ms: now - start };
    await clock.sleep(options.intervalMs, signal);
    const current = await screen.fingerprint(signal);
    if (current !== last) {
      last = current;
      lastChangeAt = clock.now();
      changed = changed || current !== options.before;
    }
  }
}
