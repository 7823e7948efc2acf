import type { CaptureOptions, Screen, ScreenChanges, ScreenLook, Screenshot } from '../../agent/ports.ts';

/** Keeps our own windows out of the agent's screenshots. */
export interface CaptureGuard {
  /** Hides what must not be captured; resolves with a function that shows it again. */
  hideForCapture(): Promise<() => void>;
  /**
   * Whether anything of ours is on the screen now, that a capture would have to hide. While it is,
   * the screen's change reports also count our own hiding and showing (see GuardedScreen.changes).
   */
  showsAnything?(): boolean;
}

/**
 * A screen that hides the overlay around each capture and fingerprint, for systems where windows
 * cannot be excluded from captures (X11 ignores content protection).
 *
 * The inner screen's change reports, last look and prepared looks pass through while the overlay is
 * off the screen, so a tray run settles on the X server's events as the command line does. While
 * the overlay is shown they are withheld: hiding it for each look is itself drawing, which would
 * never let the reports fall quiet, and a look prepared without hiding it would show it.
 */
export class GuardedScreen implements Screen {
  private readonly guardedChanges: ScreenChanges | undefined;

  constructor(
    private readonly inner: Screen,
    private readonly guard: CaptureGuard,
  ) {
    this.guardedChanges = inner.changes && guard.showsAnything ? whileNothingShown(inner.changes, () => guard.showsAnything!()) : undefined;
  }

  get changes(): ScreenChanges | undefined {
    return this.guardedChanges;
  }

  async capture(options: CaptureOptions): Promise<Screenshot> {
    const restore = await this.guard.hideForCapture();
    try {
      return await this.inner.capture(options);
    } finally {
      restore();
    }
  }

  async fingerprint(signal?: AbortSignal): Promise<string> {
    const restore = await this.guard.hideForCapture();
    try {
      return await this.inner.fingerprint(signal);
    } finally {
      restore();
    }
  }

  lastLook(): ScreenLook | undefined {
    return this.guardedChanges?.usable ? this.inner.lastLook?.() : undefined;
  }

  prepare(next: CaptureOptions): void {
    if (this.guardedChanges?.usable) this.inner.prepare?.(next);
  }
}

/** The reports, usable only while nothing of ours is shown (settle then looks instead, as it does without reports). */
function whileNothingShown(changes: ScreenChanges, showsAnything: () => boolean): ScreenChanges {
  return {
    get changes() {
      return changes.changes;
    },
    get lastChangeAt() {
      return changes.lastChangeAt;
    },
    get usable() {
      return changes.usable && !showsAnything();
    },
    waitForChange: (afterCount, timeoutMs, signal) => changes.waitForChange(afterCount, timeoutMs, signal),
    flush: () => changes.flush(),
  };
}
