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
 * sleep. A screen that changed must then look the same for `quietMs`; a screen that has not changed
 * yet gets `noChangeMs` for a late reaction (an application that redraws after a delay).
 *
 * Stillness is only ever concluded from two looks that agree, never from time alone: a single slow
 * look (a busy machine) must not pass for a still screen.
 */
export async function waitForStillScreen(options: SettleOptions): Promise<SettleResult> {
  const { screen, clock, signal } = options;
  const start = clock.now();
  let last = await screen.fingerprint(signal);
  let changed = last !== options.before;
  // The quiet time runs from the look that saw the newest picture.
  let sameSince = clock.now();
  let agreeingLooks = 0;
  for (;;) {
    const now = clock.now();
    if (agreeingLooks > 0) {
      if (changed && now - sameSince >= options.quietMs) return { settled: true, changed, ms: now - start };
      if (!changed && now - start >= options.noChangeMs) return { settled: true, changed, ms: now - start };
    }
    if (now - start >= options.capMs) return { settled: false, changed, ms: now - start };
    await clock.sleep(options.intervalMs, signal);
    const current = await screen.fingerprint(signal);
    if (current === last) {
      agreeingLooks += 1;
    } else {
      last = current;
      sameSince = clock.now();
      agreeingLooks = 0;
      changed = changed || current !== options.before;
    }
  }
}
