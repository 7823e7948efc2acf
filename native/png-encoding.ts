import type sharpFactory from 'sharp';
import type { Size } from '../agent/geometry.ts';
import { bgraToRgb, type RawPixels } from './bgra.ts';

// One screenshot's way from a grab to the PNG the model sees, the same on the main thread and in
// the encoder's worker (png-encode-worker.ts), so that the two can never encode differently.

export type Sharp = typeof sharpFactory;

/** A grab to encode: its BGRA pixels, the size of the image wanted and the zlib level. */
export type PngJob = {
  readonly pixels: RawPixels;
  readonly size: Size;
  readonly compressionLevel: number;
};

/**
 * BGRA to RGB (into `spareRgb` when it has the right size), resized with Lanczos when the size
 * differs, then PNG. Returns the RGB buffer as well: sharp has read it by then, and the next job
 * of the same size may write into it.
 */
export async function encodePng(sharp: Sharp, job: PngJob, spareRgb?: Buffer): Promise<{ image: Buffer; rgb: Buffer }> {
  const { pixels, size, compressionLevel } = job;
  const rgb = bgraToRgb(pixels, spareRgb);
  let pipeline = sharp(rgb, { raw: { width: pixels.width, height: pixels.height, channels: 3 } });
  if (size.width !== pixels.width || size.height !== pixels.height) {
    // Lanczos keeps small text the most legible, which is what the model reads.
    pipeline = pipeline.resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' });
  }
  const image = await pipeline.png({ compressionLevel, adaptiveFiltering: false }).toBuffer();
  return { image, rgb };
}
