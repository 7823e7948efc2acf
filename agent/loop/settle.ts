import { throwIfAborted } from '../abort.ts';
import type { Clock, Screen, ScreenChanges } from '../ports.ts';

export type SettleOptions = {
  readonly screen: Screen;
  readonly clock: Clock;
  /** The fingerprint taken just before the action, to tell a reaction from no reaction. */
  readonly before: string;
  /**
   * With change events: the server's count of changes read just before the `before` look. Whatever
   * is reported after it may be missing from `before`, so it counts as a change. Without it, only
   * what is reported after settle starts counts, and a reaction drawn during the action itself
   * (a fast application) passes for the screen before it.
   */
  readonly changesBefore?: number;
  readonly capMs: number;
  readonly intervalMs: number;
  readonly quietMs: number;
  readonly noChangeMs: number;
  /** With the display server's change events: how long after the last change the screen must stay quiet (default `quietMs`). */
  readonly eventQuietMs?: number;
  /** With change events: the wait for a late reaction when nothing was drawn (default `noChangeMs`). */
  readonly eventNoChangeMs?: number;
  /**
   * With change events: called once the reports have been quiet for half the quiet time (at most a
   * few times a settle), for the caller to start on its next look (`Screen.prepare`) while settle
   * waits out the rest. Whether it is called changes nothing about when settle returns.
   */
  readonly prepare?: () => void;
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
  const changes = options.screen.changes;
  if (changes?.usable) return waitForQuietEvents(options, changes);
  return waitByLooking(options);
}

/** The fallback where the display server reports nothing: successive fingerprints every `intervalMs`. */
export async function waitByLooking(options: SettleOptions): Promise<SettleResult> {
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

/** Quiet needed after a change; during an animation, longer than the longest gap seen between its frames. */
const FRAME_GAP_FACTOR = 2;
/** Looks prepared in one settle at most: during an animation, each quiet spell would start one. */
const MAX_PREPARED_LOOKS = 3;

/**
 * Settling on the display server's reports of drawing: no looking in between, so the wait ends
 * `eventQuietMs` after the last change rather than a polling interval or two later, and a screen
 * nothing was drawn on is known unchanged without a look.
 *
 * Stillness is still concluded from two observations that agree: the pixels, looked at once the
 * reports have been quiet long enough, and the server's record up to after that look (a round
 * trip); a change reported in between starts the wait again. During an animation the quiet time
 * grows to twice the longest gap seen between its frames, so a slow frame on a busy machine is not
 * taken for the end.
 */
export async function waitForQuietEvents(options: SettleOptions, changes: ScreenChanges): Promise<SettleResult> {
  const { screen, clock, signal } = options;
  const start = clock.now();
  const baseQuiet = options.eventQuietMs ?? options.quietMs;
  const noChangeMs = options.eventNoChangeMs ?? options.noChangeMs;
  let seen = changes.changes;
  let lastChangeAt: number | undefined;
  let longestGap = 0;
  let preparedAt: number | undefined;
  let prepared = 0;
  const note = () => {
    if (changes.changes === seen) return;
    seen = changes.changes;
    const at = changes.lastChangeAt ?? clock.now();
    if (lastChangeAt !== undefined) longestGap = Math.max(longestGap, at - lastChangeAt);
    lastChangeAt = at;
  };
  if (options.changesBefore === undefined) {
    // Whatever was drawn before the call is reported by now; only what comes after counts.
    await changes.flush();
    seen = changes.changes;
  } else {
    seen = options.changesBefore;
  }
  for (;;) {
    throwIfAborted(signal);
    if (!changes.usable) return waitByLooking({ ...options, capMs: Math.max(0, options.capMs - (clock.now() - start)) });
    note();
    const now = clock.now();
    if (now - start >= options.capMs) {
      const changed = lastChangeAt !== undefined && (await screen.fingerprint(signal)) !== options.before;
      return { settled: false, changed, ms: clock.now() - start };
    }
    if (lastChangeAt === undefined) {
      if (now - start >= noChangeMs) {
        await changes.flush();
        note();
        // Nothing drawn since the before look (or the call): the pixels are the ones before it.
        if (lastChangeAt === undefined) return { settled: true, changed: false, ms: clock.now() - start };
        continue;
      }
      await changes.waitForChange(seen, start + noChangeMs - now, signal);
      continue;
    }
    const quiet = Math.max(baseQuiet, longestGap > 0 && longestGap < options.capMs ? FRAME_GAP_FACTOR * longestGap : 0);
    const quietUntil = lastChangeAt + quiet;
    if (now < quietUntil) {
      const halfway = lastChangeAt + quiet / 2;
      if (now < halfway && options.prepare && prepared < MAX_PREPARED_LOOKS) {
        await changes.waitForChange(seen, halfway - now, signal);
        continue;
      }
      if (options.prepare && preparedAt !== seen && prepared < MAX_PREPARED_LOOKS) {
        preparedAt = seen;
        prepared += 1;
        options.prepare();
      }
      await changes.waitForChange(seen, quietUntil - now, signal);
      continue;
    }
    const countAtLook = changes.changes;
    const looked = await screen.fingerprint(signal);
    await changes.flush();
    // The second observation: nothing was reported drawn from the quiet time through the look.
    if (changes.changes === countAtLook) return { settled: true, changed: looked !== options.before, ms: clock.now() - start };
  }
}
