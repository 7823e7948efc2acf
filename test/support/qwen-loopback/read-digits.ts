import type { RgbImage } from './find-target.ts';

// Reads seven-segment digits from a screenshot the way a person would, without knowing where the
// product drew them or how big: dark ink is split into digits at blank columns, and each digit's
// segments are looked for where a seven-segment digit has them, relative to its own box. So the
// loopback can answer a "what number is this?" probe only if the image really shows the number.

const PATTERNS: Record<string, string> = {
  abcdef: '0',
  bc: '1',
  abdeg: '2',
  abcdg: '3',
  bcfg: '4',
  acdfg: '5',
  acdefg: '6',
  abc: '7',
  abcdefg: '8',
  abcdfg: '9',
};

/** The digits shown, left to right; undefined when the ink does not read as seven-segment digits. */
export function readSevenSegmentDigits(image: RgbImage, darkBelow = 100): string | undefined {
  const { width, height, pixels } = image;
  const dark = (x: number, y: number) => {
    const at = (y * width + x) * 3;
    return pixels[at]! < darkBelow && pixels[at + 1]! < darkBelow && pixels[at + 2]! < darkBelow;
  };
  const columnHasInk = Array.from({ length: width }, (_, x) => {
    for (let y = 0; y < height; y++) if (dark(x, y)) return true;
    return false;
  });
  const groups: [number, number][] = [];
  for (let x = 0; x < width; x++) {
    if (!columnHasInk[x]) continue;
    const start = x;
    while (x < width && columnHasInk[x]) x++;
    groups.push([start, x - 1]);
  }
  if (groups.length === 0) return undefined;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!dark(x, y)) continue;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  const digitHeight = bottom - top + 1;
  let text = '';
  for (const [left, right] of groups) {
    const groupWidth = right - left + 1;
    // A "1" is only its right-hand bars: a narrow group. Place its box as a full digit's would be.
    const boxWidth = groupWidth < digitHeight * 0.3 ? Math.round(digitHeight * 0.55) : groupWidth;
    const boxLeft = groupWidth < digitHeight * 0.3 ? right + 1 - boxWidth : left;
    const probe = (fx: number, fy: number) => dark(Math.min(width - 1, Math.round(boxLeft + fx * (boxWidth - 1))), Math.min(height - 1, Math.round(top + fy * (digitHeight - 1))));
    const lit = [
      ['a', probe(0.5, 0.03)],
      ['b', probe(0.95, 0.25)],
      ['c', probe(0.95, 0.75)],
      ['d', probe(0.5, 0.97)],
      ['e', probe(0.05, 0.75)],
      ['f', probe(0.05, 0.25)],
      ['g', probe(0.5, 0.5)],
    ]
      .filter(([, on]) => on)
      .map(([name]) => name)
      .join('');
    const digit = PATTERNS[lit];
    if (digit === undefined) return undefined;
    text += digit;
  }
  return text;
}
