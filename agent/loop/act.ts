import { throwIfAborted } from '../abort.ts';
import type { ScreenAction } from '../actions.ts';
import { InputNotAcceptedError } from '../errors.ts';
import type { RunPolicy } from '../policy.ts';
import type { CaptureOptions, Clock, Input, Screen, ScreenChanges } from '../ports.ts';
import { waitForStillScreen, type SettleResult } from './settle.ts';

export type ActInput = {
  readonly action: ScreenAction;
  readonly screen: Screen;
  readonly input: Input;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
};

export type ActResult = {
  /** The screen's fingerprint just before the action, to tell a reaction from none. */
  readonly before: string;
  /** The display server's count of changes just before that look, where it reports them (see `SettleOptions.changesBefore`). */
  readonly changesBefore?: number;
  readonly actionMs: number;
  /** Set when the focused window did not take the input (a paste nobody asked for): that step fails alone. */
  readonly failure?: { readonly code: string; readonly reason: string; readonly sentence: string };
};

/** Performs the action, having first noted how the screen looked. */
export async function act(options: ActInput): Promise<ActResult> {
  const changes = options.screen.changes?.usable ? options.screen.changes : undefined;
  // Read before the look, so that a drawing the look may have missed still counts as a change.
  const changesBefore = changes?.changes;
  const before = await lookBefore(options.screen, changes, options.signal);
  const started = options.clock.now();
  const failure = await options.input.perform(options.action, options.signal).then(() => undefined, notAccepted);
  return {
    before,
    ...(changesBefore !== undefined ? { changesBefore } : {}),
    actionMs: options.clock.now() - started,
    ...(failure ? { failure: { code: failure.code, reason: failure.message, sentence: failure.sentence } } : {}),
  };
}

/**
 * The screen right before the action. Where the display server counts what it draws, the screen's
 * last look (the observation, as a rule) still is that when nothing was drawn since it was taken:
 * asked after a round trip, so a drawing still on its way is counted and the screen looked at
 * again. A look from before such a drawing would pass it off as the action's effect.
 */
async function lookBefore(screen: Screen, changes: ScreenChanges | undefined, signal: AbortSignal | undefined): Promise<string> {
  const last = changes ? screen.lastLook?.() : undefined;
  if (changes && last) {
    await changes.flush();
    throwIfAborted(signal);
    if (changes.usable && changes.changes === last.changes) return last.fingerprint;
  }
  return screen.fingerprint(signal);
}

/** A step whose input the focused window did not take fails alone; any other error ends the run. */
function notAccepted(error: unknown): InputNotAcceptedError {
  if (error instanceof InputNotAcceptedError) return error;
  throw error;
}

/** Waits for the screen to stop changing after an action, within the policy's limits. */
export function settle(options: {
  readonly screen: Screen;
  readonly clock: Clock;
  readonly before: string;
  readonly changesBefore?: number;
  readonly policy: RunPolicy;
  /** The capture the next observation will likely make, for the screen to start on while settle waits (`Screen.prepare`). */
  readonly next?: CaptureOptions;
  readonly signal?: AbortSignal;
}): Promise<SettleResult> {
  const { policy } = options;
  return waitForStillScreen({
    screen: options.screen,
    clock: options.clock,
    before: options.before,
    changesBefore: options.changesBefore,
    capMs: policy.settleCapMs,
    intervalMs: policy.settleIntervalMs,
    quietMs: policy.settleQuietMs,
    noChangeMs: policy.settleNoChangeMs,
    eventQuietMs: policy.settleEventQuietMs,
    eventNoChangeMs: policy.settleEventNoChangeMs,
    ...(options.next && options.screen.prepare ? { prepare: () => options.screen.prepare?.(options.next!) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
