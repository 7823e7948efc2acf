// The one thing replay needs from outside besides the usual ports: telling whether the screen
// still shows what was recorded around a target. native/image-compare.ts implements it with sharp;
// tests can script it.

/** A rectangle in an image's own pixels. */
export type PixelRegion = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

export type ImageRegion = {
  /** Encoded image bytes (PNG or JPEG). */
  readonly image: Uint8Array;
  readonly region: PixelRegion;
};

export interface RegionMatcher {
  /**
   * How alike two regions look, from 0 (nothing alike) to 1 (the same pixels). Each region is in
   * its own image; they may differ in size (a screen captured at another resolution) and are
   * compared at one common size.
   */
  similarity(recorded: ImageRegion, current: ImageRegion, signal?: AbortSignal): Promise<number>;
}
