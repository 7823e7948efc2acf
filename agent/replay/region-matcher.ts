// The one thing replay needs from outside besides the usual ports: telling whether the screen
// still shows what was recorded around a target. native/image-compare.ts implements it with sharp;
// tests can script it.

/**
 * A rectangle as fractions (0..1) of an image's width and height. Both screenshots cover the whole
 * display, so one relative region names the same place in a recorded screenshot and a current one
 * of another size, and the core needs to decode neither.
 */
export type RelativeRegion = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

export type ImageRegion = {
  /** Encoded image bytes (PNG or JPEG). */
  readonly image: Uint8Array;
  readonly region: RelativeRegion;
};

export interface RegionMatcher {
  /**
   * How alike the same region of two images looks, from 0 (nothing alike) to 1 (the same pixels).
   * The images may differ in size; the regions are compared at one common size.
   */
  similarity(recorded: ImageRegion, current: ImageRegion, signal?: AbortSignal): Promise<number>;
}
