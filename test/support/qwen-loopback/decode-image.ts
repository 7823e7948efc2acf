import sharp from 'sharp';
import type { RgbImage } from './find-target.ts';

export type DecodedImage = RgbImage & {
  /** What the bytes are, by their content (sharp sniffs it), whatever the data URL claimed. */
  readonly format: string;
  /** Encoded size in bytes. */
  readonly bytes: number;
};

/** Any encoded image (PNG, JPEG, WebP...) to three-channel sRGB pixels, alpha dropped. */
export async function decodeImage(encoded: Uint8Array): Promise<DecodedImage> {
  const input = sharp(encoded);
  const metadata = await input.metadata();
  const { data, info } = await input.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`Decoded ${info.channels} channels, expected 3 (format ${metadata.format}).`);
  return {
    width: info.width,
    height: info.height,
    pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    format: metadata.format,
    bytes: encoded.byteLength,
  };
}
