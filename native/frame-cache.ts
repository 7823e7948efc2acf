import type { ScreenChanges } from '../agent/ports.ts';
import type { RawPixels } from './bgra.ts';
import { fingerprintOf } from './grab-screen.ts';

/**
 * The last frame grabbed, reused while the display server reports nothing drawn since: the look
 * that ended settling becomes the next screenshot, and the screenshot the fingerprint before the
 * next action, without grabbing the screen again. Without change reports every call grabs.
 */
export class FrameCache {
  private last: { readonly pixels: RawPixels; readonly count: number; fingerprint?: string } | undefined;
  /** Grabs taken and grabs saved, for the bench. */
  readonly counts = { grabbed: 0, reused: 0 };

  constructor(
    private readonly grab: () => Promise<RawPixels>,
    private readonly changes: ScreenChanges | undefined,
  ) {}

  async pixels(): Promise<RawPixels> {
    return (await this.frame()).pixels;
  }

  async fingerprint(): Promise<string> {
    const frame = await this.frame();
    frame.fingerprint ??= fingerprintOf(frame.pixels);
    return frame.fingerprint;
  }

  private async frame(): Promise<{ readonly pixels: RawPixels; readonly count: number; fingerprint?: string }> {
    const changes = this.changes?.usable ? this.changes : undefined;
    if (changes && this.last) {
      // Anything drawn before now has been reported once the round trip returns.
      await changes.flush();
      if (changes.usable && changes.changes === this.last.count) {
        this.counts.reused += 1;
        return this.last;
      }
    }
    // The count is read before the grab: a change drawn during it makes the frame stale at once.
    const count = changes ? changes.changes : -1;
    const pixels = await this.grab();
    this.counts.grabbed += 1;
    this.last = changes ? { pixels, count } : undefined;
    return this.last ?? { pixels, count };
  }
}
