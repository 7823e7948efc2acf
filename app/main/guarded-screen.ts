import type { CaptureOptions, Screen, Screenshot } from '../../agent/ports.ts';

/** Keeps our own windows out of the agent's screenshots. */
export interface CaptureGuard {
  /** Hides what must not be captured; resolves with a function that shows it again. */
  hideForCapture(): Promise<() => void>;
}

/**
 * A screen that hides the overlay around each capture and fingerprint, for systems where windows
 * cannot be excluded from captures (X11 ignores content protection).
 */
export class GuardedScreen implements Screen {
  constructor(
    private readonly inner: Screen,
    private readonly guard: CaptureGuard,
  ) {}

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
}
