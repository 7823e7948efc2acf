import { describe, expect, it } from 'vitest';
import { bgraToRgb } from './bgra.ts';

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
});
