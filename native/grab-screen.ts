import { createHash } from 'node:crypto';
import { throwIfAborted } from '../agent/abort.ts';
import { containsRect, type DisplayGeometry, type Size } from '../agent/geometry.ts';
import type { CaptureOptions, Screen, ScreenChanges, ScreenLook, Screenshot } from '../agent/ports.ts';
import { DeskpilotError } from '../agent/errors.ts';
import { cropPixels, type RawPixels } from './bgra.ts';
import { FrameCache } from './frame-cache.ts';
import { InThreadPngEncoder, type PngEncoder } from './png-encoder.ts';

/** What GrabScreen needs from the screen (libnut, as nut-js `screen`): raw BGRA pixels and the size in input coordinates. */
export type PixelSource = {
  grab(): Promise<RawPixels>;
  width(): Promise<number>;
  height(): Promise<number>;
};

/**
 * Grabs an area that libnut's grab does not show: on macOS and Windows libnut sees the main
 * display only, so any other display (or a crop of one) comes from the system's own tool.
 */
export type AreaGrabber = {
  grab(area: DisplayGeometry, signal?: AbortSignal): Promise<RawPixels>;
};

export type GrabScreenOptions = {
  /**
   * zlib level for the PNG. At 1920x1080 -> 1504x832 levels 1-6 all encode in about 10 ms here;
   * 2 is within a millisecond of the fastest and some 20 % smaller than 1.
   */
  readonly compressionLevel?: number;
  /** The display server's reports of drawing (X11 DAMAGE): settle waits on them, and an unchanged screen is not grabbed twice. */
  readonly changes?: ScreenChanges;
  /**
   * Where the PNG is made (default: on this thread, sharp loading at the first capture);
   * openDesktop passes the process's worker (backgroundPngEncoder).
   */
  readonly encoder?: PngEncoder;
  /** Where areas outside libnut's grab come from (macOS, Windows); without it such an area is refused. */
  readonly areaGrabber?: AreaGrabber;
};

/** The one display nut-js sees: the whole X screen (every monitor), the main display elsewhere. */
export const PRIMARY_DISPLAY_ID = 'primary';

/**
 * Geometry from a grab and the size nut-js moves the pointer in. They differ only where the
 * desktop is scaled (a Retina display grabs at twice its bounds); the ratio is the scale factor.
 */
export function displayGeometryOf(pixelSize: Size, inputSize: Size): DisplayGeometry {
  return {
    id: PRIMARY_DISPLAY_ID,
    bounds: { x: 0, y: 0, width: inputSize.width, height: inputSize.height },
    scaleFactor: pixelSize.width / inputSize.width,
    pixelSize: { width: pixelSize.width, height: pixelSize.height },
  };
}

/** Screen port over libnut grabs (what nut-js `screen.grab()` returns), resized and PNG-encoded with sharp (png-encoder.ts). */
export class GrabScreen implements Screen {
  private readonly compressionLevel: number;
  readonly changes: ScreenChanges | undefined;
  readonly frames: FrameCache;
  private readonly encoder: PngEncoder;
  private readonly areaGrabber: AreaGrabber | undefined;
  /**
   * The display outside libnut's grab that the last step looked at. Settling after its action
   * must watch that display: fingerprints of the main one would call it still at once.
   */
  private watched: DisplayGeometry | undefined;
  /** The newest PNG made, and of which frame (the frame cache's own object: the same object means the same pixels). */
  private lastEncoded: { readonly frame: RawPixels; readonly key: string; readonly image: Promise<Uint8Array> } | undefined;

  constructor(
    private readonly source: PixelSource,
    options: GrabScreenOptions = {},
  ) {
    this.compressionLevel = options.compressionLevel ?? 2;
    this.changes = options.changes;
    this.encoder = options.encoder ?? new InThreadPngEncoder();
    this.areaGrabber = options.areaGrabber;
    this.frames = new FrameCache(() => source.grab(), options.changes);
  }

  async capture(options: CaptureOptions): Promise<Screenshot> {
    const { signal } = options;
    throwIfAborted(signal);
    if (options.area && (await this.beyondLibnut(options.area))) return this.captureBeyond(options.area, options);
    this.watched = undefined;
    const grabStarted = performance.now();
    const [pixels, width, height] = await Promise.all([this.frames.pixels(), this.source.width(), this.source.height()]);
    const grabMs = performance.now() - grabStarted;
    throwIfAborted(signal);

    const encodeStarted = performance.now();
    const { display, size, image } = this.encoded(pixels, { width, height }, options);
    const bytes = await image;
    const encodeMs = performance.now() - encodeStarted;
    throwIfAborted(signal);
    return { image: bytes, mediaType: 'image/png', size, display, timings: { grabMs, encodeMs } };
  }

  /**
   * Starts on the capture `next` describes, without waiting: settle calls it once the screen has
   * been quiet for a while, so the grab, its digest (for the look that confirms stillness) and the
   * PNG (for the next screenshot) are made while it waits out the rest of its quiet time. Nothing
   * a later call returns changes: they reuse this work only for the frame it was made from.
   */
  prepare(next: CaptureOptions): void {
    if (!this.changes?.usable || this.watched || (next.area && this.areaGrabber)) return;
    void Promise.all([this.frames.pixels(), this.source.width(), this.source.height()])
      .then(([pixels, width, height]) => this.encoded(pixels, { width, height }, next).image)
      .catch(() => undefined);
  }

  /** The PNG of `pixels` as `options` want it: made once per frame, area and size (the last one is kept). */
  private encoded(pixels: RawPixels, inputSize: Size, options: CaptureOptions): { display: DisplayGeometry; size: Size; image: Promise<Uint8Array> } {
    const whole = displayGeometryOf(pixels, inputSize);
    const { display, pixels: shown } = options.area ? areaOf(pixels, whole, options.area) : { display: whole, pixels };
    const size = checkedSize(options.sizeFor(display.pixelSize));
    const key = `${JSON.stringify(display)} ${size.width}x${size.height}`;
    const last = this.lastEncoded;
    if (last && last.frame === pixels && last.key === key) return { display, size, image: last.image };
    const image = this.encoder.encode({ pixels: shown, size, compressionLevel: this.compressionLevel });
    const entry = { frame: pixels, key, image };
    this.lastEncoded = entry;
    // A failed encoding is not kept: the next capture tries again.
    image.catch(() => {
      if (this.lastEncoded === entry) this.lastEncoded = undefined;
    });
    return { display, size, image };
  }

  /**
   * SHA-1 of every grabbed byte. A full hash of 1920x1080 takes about 5 ms next to a 10 ms grab,
   * and unlike a sampled hash it notices a caret blinking or one word changing.
   */
  async fingerprint(signal?: AbortSignal): Promise<string> {
    throwIfAborted(signal);
    const fingerprint = this.watched && this.areaGrabber ? fingerprintOf(await this.areaGrabber.grab(this.watched, signal)) : await this.frames.fingerprint();
    throwIfAborted(signal);
    return fingerprint;
  }

  lastLook(): ScreenLook | undefined {
    return this.watched ? undefined : this.frames.lastLook();
  }

  /** Whether `area` lies outside what libnut grabs (the main display at the origin), with a grabber for it. */
  private async beyondLibnut(area: DisplayGeometry): Promise<boolean> {
    if (!this.areaGrabber) return false;
    const [width, height] = await Promise.all([this.source.width(), this.source.height()]);
    return !containsRect({ x: 0, y: 0, width, height }, area.bounds);
  }

  private async captureBeyond(area: DisplayGeometry, options: CaptureOptions): Promise<Screenshot> {
    const { signal } = options;
    const grabStarted = performance.now();
    const pixels = await this.areaGrabber!.grab(area, signal);
    const grabMs = performance.now() - grabStarted;
    throwIfAborted(signal);
    checkGrabShape(pixels, area);
    // A closer look (a crop of the display being watched) must not move the watch off the display.
    if (!(this.watched && containsRect(this.watched.bounds, area.bounds))) this.watched = area;
    const encodeStarted = performance.now();
    const display: DisplayGeometry = { ...area, pixelSize: { width: pixels.width, height: pixels.height } };
    const size = checkedSize(options.sizeFor(display.pixelSize));
    const image = await this.encoder.encode({ pixels, size, compressionLevel: this.compressionLevel });
    const encodeMs = performance.now() - encodeStarted;
    throwIfAborted(signal);
    return { image, mediaType: 'image/png', size, display, timings: { grabMs, encodeMs } };
  }

  /** The display as it is now (grabs once to learn the pixel size). */
  async display(): Promise<DisplayGeometry> {
    const [pixels, width, height] = await Promise.all([this.source.grab(), this.source.width(), this.source.height()]);
    return displayGeometryOf(pixels, { width, height });
  }
}

export function fingerprintOf(pixels: RawPixels): string {
  return createHash('sha1').update(`${pixels.width}x${pixels.height}:`).update(pixels.data).digest('hex');
}

export class AreaOffScreenError extends DeskpilotError {}

/**
 * One display (or a region of one) cut out of the whole grab. On X11 every monitor is part of the
 * root window, so one grab and a crop are cheaper than a second grab; the grab's own scale turns
 * input units into its pixels.
 */
function areaOf(pixels: RawPixels, whole: DisplayGeometry, area: DisplayGeometry): { display: DisplayGeometry; pixels: RawPixels } {
  const scale = whole.scaleFactor;
  const x = Math.round((area.bounds.x - whole.bounds.x) * scale);
  const y = Math.round((area.bounds.y - whole.bounds.y) * scale);
  const right = Math.min(pixels.width, Math.round((area.bounds.x + area.bounds.width - whole.bounds.x) * scale));
  const bottom = Math.min(pixels.height, Math.round((area.bounds.y + area.bounds.height - whole.bounds.y) * scale));
  if (x < 0 || y < 0 || right - x < 1 || bottom - y < 1 || right - x < Math.round(area.bounds.width * scale) - 1 || bottom - y < Math.round(area.bounds.height * scale) - 1) {
    const { bounds } = area;
    throw new AreaOffScreenError(
      'AREA_OFF_SCREEN',
      `The display ${area.id} (${bounds.width}x${bounds.height} at ${bounds.x},${bounds.y}) is not inside the captured screen (${whole.bounds.width}x${whole.bounds.height}); the monitors changed during the run: start it again.`,
    );
  }
  const cropped = cropPixels(pixels, { x, y, width: right - x, height: bottom - y });
  return { display: { ...area, pixelSize: { width: cropped.width, height: cropped.height } }, pixels: cropped };
}

/**
 * A grab of another display must show that display: its shape must be the area's. Its size may
 * differ (a tool that grabs at another resolution), since points map through the bounds, but a
 * different shape means another display or a cut-off grab, and every point would land wrong.
 */
function checkGrabShape(pixels: RawPixels, area: DisplayGeometry): void {
  const expected = area.bounds.width / area.bounds.height;
  const got = pixels.width / pixels.height;
  if (Math.abs(got - expected) / expected > 0.02) {
    const { bounds } = area;
    throw new AreaOffScreenError(
      'AREA_GRAB_MISMATCH',
      `The grab of display ${area.id} (${bounds.width}x${bounds.height} at ${bounds.x},${bounds.y}) came back ${pixels.width}x${pixels.height}, another shape; the displays changed during the run, or the system's screenshot tool cut it off: start the run again.`,
    );
  }
}

function checkedSize(size: Size): Size {
  if (!(Number.isInteger(size.width) && Number.isInteger(size.height) && size.width > 0 && size.height > 0)) {
    throw new RangeError(`sizeFor returned ${size.width}x${size.height}; an image needs whole, positive sides.`);
  }
  return { width: size.width, height: size.height };
}
