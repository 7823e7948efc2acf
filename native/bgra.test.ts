import { describe, expect, it } from 'vitest';
import { bgraToRgb, cropPixels } from './bgra.ts';

describe('bgraToRgb', () => {
  it('swaps blue and red and drops the fourth byte', () => {
    // Two pixels: pure red and a mix, with garbage where alpha would be.
    const data = Uint8Array.from([0, 0, 255, 0, 30, 20, 10, 77]);
    expect([...bgraToRgb({ data, width: 2, height: 1, byteWidth: 8 })]).toEqual([255, 0, 0, 10, 20, 30]);
  });

  it('skips row padding', () => {
    const data = Uint8Array.from([
      1, 2, 3, 0, 9, 9, 9, 9, // row 0: one pixel and 4 bytes of padding
      4, 5, 6, 0, 9, 9, 9, 9,
    ]);
    expect([...bgraToRgb({ data, width: 1, height: 2, byteWidth: 8 })]).toEqual([3, 2, 1, 6, 5, 4]);
  });

  it('refuses a buffer too small for its size', () => {
    expect(() => bgraToRgb({ data: new Uint8Array(7), width: 2, height: 1, byteWidth: 8 })).toThrow(RangeError);
    expect(() => bgraToRgb({ data: new Uint8Array(8), width: 2, height: 1, byteWidth: 4 })).toThrow(RangeError);
    expect(() => bgraToRgb({ data: new Uint8Array(0), width: 0, height: 1, byteWidth: 0 })).toThrow(RangeError);
  });
  /** The plain per-byte conversion, to check the word-at-a-time path against. */
  function reference(data: Uint8Array, width: number, height: number, byteWidth: number): number[] {
    const rgb: number[] = [];
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        const at = row * byteWidth + column * 4;
        rgb.push(data[at + 2]!, data[at + 1]!, data[at]!);
      }
    }
    return rgb;
  }

  it('converts every pixel alike whatever the width, padding, alignment or crop', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    for (const [width, height, padding, offset] of [[8, 3, 0, 0], [12, 5, 16, 0], [7, 4, 4, 0], [8, 2, 0, 1], [1366, 3, 8, 0], [1920, 2, 0, 0]] as const) {
      const byteWidth = width * 4 + padding;
      const backing = new Uint8Array(offset + byteWidth * height);
      for (let index = 0; index < backing.length; index++) backing[index] = random();
      const data = backing.subarray(offset);
      expect([...bgraToRgb({ data, width, height, byteWidth })]).toEqual(reference(data, width, height, byteWidth));
    }
    const whole = { data: Uint8Array.from({ length: 16 * 4 * 6 }, random), width: 16, height: 6, byteWidth: 64 };
    const cut = cropPixels(whole, { x: 4, y: 1, width: 8, height: 4 });
    expect([...bgraToRgb(cut)]).toEqual(reference(cut.data, 8, 4, 64));
  });
});
