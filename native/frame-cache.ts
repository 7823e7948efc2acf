import type { ScreenChanges, ScreenLook } from '../agent/ports.ts';
import type { RawPixels } from './bgra.ts';
import { fingerprintOf } from './grab-screen.ts';

type Frame = { readonly pixels: RawPixels; readonly count: number; fingerprint?: string };

/**
 * The last frame grabbed, reused while the display server reports nothing drawn since: the look
 * that ended settling becomes the next screenshot, and the screenshot the fingerprint before the
 * next action, without grabbing the screen again. Without change reports every call grabs.
 */
export class FrameCache {
  private last: Frame | undefined;
  /** A grab under way (a look prepared while settling), with the count it was started at. */
  private inFlight: { readonly count: number; readonly frame: Promise<Frame> } | undefined;
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
    return digest(await this.frame());
  }

  /** The newest frame's digest and the count it was grabbed at, once the digest is known. */
  lastLook(): ScreenLook | undefined {
    const last = this.changes?.usable ? this.last : undefined;
    return last?.fingerprint === undefined ? undefined : { fingerprint: last.fingerprint, changes: last.count };
  }

  private async frame(): Promise<Frame> {
    const changes = this.changes?.usable ? this.changes : undefined;
    if (!changes) {
      this.last = undefined;
      this.counts.grabbed += 1;
      return { pixels: await this.grab(), count: -1 };
    }
    // The count is read before the round trip. When it returns, the server has re-armed the
    // reports (DamageSubtract) of every change counted so far, so whatever the grab then misses is
    // drawn after it and reported anew; a change reported during the round trip makes the frame
    // stale at once.
    const count = changes.changes;
    await changes.flush();
    if (this.last && changes.usable && changes.changes === this.last.count) {
      this.counts.reused += 1;
      return this.last;
    }
    // A grab started at this very count, after its own round trip, shows what this one would.
    const inFlight = this.inFlight;
    if (inFlight && changes.usable && changes.changes === inFlight.count) {
      this.counts.reused += 1;
      return inFlight.frame;
    }
    const started = this.grab().then((pixels): Frame => {
      const frame: Frame = { pixels, count };
      this.counts.grabbed += 1;
      // A later grab may have finished first (it saw a later count): keep the newer frame.
      if (!this.last || this.last.count <= count) this.last = frame;
      // A capture's caller is waiting on the encoder by the next turn, leaving this thread free: the
      // digest a look before the next action needs is ready by then, instead of taken in its way.
      setImmediate(() => {
        if (this.last === frame) tryDigest(frame);
      });
      return frame;
    });
    const entry = { count, frame: started };
    this.inFlight = entry;
    const clear = () => {
      if (this.inFlight === entry) this.inFlight = undefined;
    };
    started.then(clear, clear);
    return started;
  }
}

function digest(frame: Frame): string {
  if (frame.fingerprint !== undefined) return frame.fingerprint;
  const { data, width, height, byteWidth } = frame.pixels;
  // A buffer handed to another thread reads as empty here: its digest would match every other such frame.
  if (data.byteLength < byteWidth * (height - 1) + width * 4) {
    throw new RangeError(`The ${width}x${height} frame has ${data.byteLength} bytes left; it was given away (transferred) before its digest was taken.`);
  }
  frame.fingerprint = fingerprintOf(frame.pixels);
  return frame.fingerprint;
}

function tryDigest(frame: Frame): void {
  try {
    digest(frame);
  } catch {
    // Left to the next fingerprint() to report.
  }
}
