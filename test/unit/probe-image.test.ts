import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { drawProbeImage, randomProbeImage } from '../../native/probe-image.ts';
import { decodeImage } from '../support/qwen-loopback/decode-image.ts';
import { readSevenSegmentDigits } from '../support/qwen-loopback/read-digits.ts';

// The product's probe image and the loopback's reader meet only through pixels.

describe('the probe image', () => {
  it('shows every digit so that the reader reads it back, as drawn and after a resize to JPEG', async () => {
    for (const digits of ['0123456789', '1111', '7', '80']) {
      const probe = await drawProbeImage(digits);
      expect(readSevenSegmentDigits(await decodeImage(probe.image))).toBe(digits);
      const resized = await sharp(probe.image).resize(Math.round(probe.width * 0.7)).jpeg({ quality: 70 }).toBuffer();
      expect(readSevenSegmentDigits(await decodeImage(resized))).toBe(digits);
    }
  });

  it('draws a fresh number each time, four digits without a leading zero', async () => {
    const numbers = await Promise.all(Array.from({ length: 8 }, () => randomProbeImage()));
    for (const probe of numbers) expect(probe.digits).toMatch(/^[1-9]\d{3}$/);
    expect(new Set(numbers.map((probe) => probe.digits)).size).toBeGreaterThan(1);
  });

  it('reads nothing from a blank image', async () => {
    const blank = await sharp({ create: { width: 100, height: 50, channels: 3, background: '#ffffff' } }).png().toBuffer();
    expect(readSevenSegmentDigits(await decodeImage(blank))).toBeUndefined();
  });
});
