import { randomInt } from 'node:crypto';
import sharp from 'sharp';

// The image that proves a model can see: a number it cannot guess, drawn as seven-segment digits
// (thick dark bars on white), which any vision model reads and which needs no font on the machine.

/** Segments a..g: top, upper right, lower right, bottom, lower left, upper left, middle. */
const SEGMENTS: Record<string, string> = {
  '0': 'abcdef',
  '1': 'bc',
  '2': 'abdeg',
  '3': 'abcdg',
  '4': 'bcfg',
  '5': 'acdfg',
  '6': 'acdefg',
  '7': 'abc',
  '8': 'abcdefg',
  '9': 'abcdfg',
};

const DIGIT_WIDTH = 60;
const DIGIT_HEIGHT = 110;
const BAR = 14;
const GAP = 30;
const MARGIN = 40;

export type ProbeImage = { readonly digits: string; readonly image: Uint8Array; readonly mediaType: 'image/png'; readonly width: number; readonly height: number };

/** A fresh random number of `length` digits (no leading zero), drawn. */
export function randomProbeImage(length = 4): Promise<ProbeImage> {
  let digits = String(randomInt(1, 10));
  while (digits.length < length) digits += String(randomInt(0, 10));
  return drawProbeImage(digits);
}

export async function drawProbeImage(digits: string): Promise<ProbeImage> {
  if (!/^\d{1,12}$/.test(digits)) throw new Error(`drawProbeImage draws 1 to 12 digits, not '${digits}'.`);
  const width = MARGIN * 2 + digits.length * DIGIT_WIDTH + (digits.length - 1) * GAP;
  const height = MARGIN * 2 + DIGIT_HEIGHT;
  const pixels = Buffer.alloc(width * height * 3, 255);
  const fill = (left: number, top: number, w: number, h: number) => {
    for (let y = top; y < top + h; y++) for (let x = left; x < left + w; x++) pixels.fill(20, (y * width + x) * 3, (y * width + x) * 3 + 3);
  };
  [...digits].forEach((digit, index) => {
    const left = MARGIN + index * (DIGIT_WIDTH + GAP);
    const top = MARGIN;
    const half = Math.floor(DIGIT_HEIGHT / 2);
    const bars: Record<string, [number, number, number, number]> = {
      a: [left, top, DIGIT_WIDTH, BAR],
      b: [left + DIGIT_WIDTH - BAR, top, BAR, half + BAR / 2],
      c: [left + DIGIT_WIDTH - BAR, top + half - BAR / 2, BAR, DIGIT_HEIGHT - half + BAR / 2],
      d: [left, top + DIGIT_HEIGHT - BAR, DIGIT_WIDTH, BAR],
      e: [left, top + half - BAR / 2, BAR, DIGIT_HEIGHT - half + BAR / 2],
      f: [left, top, BAR, half + BAR / 2],
      g: [left, top + half - BAR / 2, DIGIT_WIDTH, BAR],
    };
    for (const segment of SEGMENTS[digit]!) fill(...bars[segment]!);
  });
  const image = await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return { digits, image: new Uint8Array(image.buffer, image.byteOffset, image.byteLength), mediaType: 'image/png', width, height };
}
