import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShard, shardBounds, shardOf } from './shard.ts';

describe('parseShard', () => {
  it('reads i/n', () => {
    expect(parseShard('1/2')).toEqual({ index: 1, total: 2 });
    expect(parseShard(' 3 / 3 ')).toEqual({ index: 3, total: 3 });
  });
  it.each([
    ['2', 'is not i/n; write e.g. --shard 1/4'],
    ['a/b', 'is not i/n'],
    ['-1/2', 'is not i/n'],
    ['0/2', 'the shard must be from 1 to 2'],
    ['3/2', 'the shard must be from 1 to 2'],
    ['1/0', 'the number of shards must be 1 or more'],
  ])('refuses %s', (text, message) => {
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe('shardOf', () => {
  it('splits into contiguous slices that differ in size by at most one', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect([1, 2, 3].map((index) => shardOf(items, { index, total: 3 }))).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f', 'g']]);
    expect([1, 2, 3, 4].map((index) => shardOf(['x', 'y'], { index, total: 4 }))).toEqual([[], ['x'], [], ['y']]);
  });

  it('puts every item in exactly one shard, in order, for any count and any number of shards (no overlap, no gap)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 200 }), fc.integer({ min: 1, max: 64 }), (items, total) => {
        const shards = Array.from({ length: total }, (_, index) => shardOf(items, { index: index + 1, total }));
        expect(shards.flat()).toEqual(items);
        const sizes = shards.map((shard) => shard.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (let index = 1; index < total; index++) {
          expect(shardBounds(items.length, { index, total }).end).toBe(shardBounds(items.length, { index: index + 1, total }).start);
        }
      }),
    );
  });
});
