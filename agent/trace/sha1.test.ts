import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha1Hex } from './sha1.ts';

describe('sha1Hex', () => {
  it('gives the published digests', () => {
    expect(sha1Hex(new Uint8Array())).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(sha1Hex(new TextEncoder().encode('abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  it("agrees with Node's crypto on any bytes, across block boundaries", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(sha1Hex(bytes)).toBe(createHash('sha1').update(bytes).digest('hex'));
      }),
    );
  });

  it('agrees at every length around the padding boundaries, and on a screenshot-sized input', () => {
    const bytes = Uint8Array.from({ length: 1_000_003 }, (_, index) => (index * 7919 + (index >> 9)) & 0xff);
    for (const length of [...Array.from({ length: 200 }, (_, index) => index), 1_000_003]) {
      const part = bytes.subarray(0, length);
      expect(sha1Hex(part)).toBe(createHash('sha1').update(part).digest('hex'));
    }
  });

  it('reads a view at an offset inside a larger buffer as only its own bytes', () => {
    const buffer = Uint8Array.from({ length: 300 }, (_, index) => index & 0xff);
    const view = buffer.subarray(37, 237);
    expect(sha1Hex(view)).toBe(createHash('sha1').update(view).digest('hex'));
  });
});
