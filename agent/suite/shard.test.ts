import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShard, resolveShard, shardBounds, shardFromEnvironment, shardOf } from './shard.ts';

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

describe('--shard auto (shardFromEnvironment)', () => {
  it('reads a Kubernetes Indexed Job: the 0-based JOB_COMPLETION_INDEX, the count from DESKPILOT_SHARD_TOTAL', () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '0', DESKPILOT_SHARD_TOTAL: '3' })).toMatchObject({ index: 1, total: 3 });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '2', DESKPILOT_SHARD_TOTAL: '3' })).toMatchObject({ index: 3, total: 3 });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '1', JOB_COMPLETIONS: '4' })).toMatchObject({ index: 2, total: 4, source: 'JOB_COMPLETION_INDEX, JOB_COMPLETIONS' });
  });

  it('reads matrix values passed as env (1-based), and DESKPILOT_SHARD over everything', () => {
    expect(shardFromEnvironment({ DESKPILOT_SHARD_INDEX: '2', DESKPILOT_SHARD_TOTAL: '2' })).toMatchObject({ index: 2, total: 2 });
    expect(shardFromEnvironment({ DESKPILOT_SHARD: '3/5', JOB_COMPLETION_INDEX: '0', DESKPILOT_SHARD_TOTAL: '2' })).toMatchObject({ index: 3, total: 5, source: 'DESKPILOT_SHARD' });
  });

  it("reads GitLab's 1-based and CircleCI's and Buildkite's 0-based indexes", () => {
    expect(shardFromEnvironment({ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' })).toMatchObject({ index: 1, total: 3 });
    expect(shardFromEnvironment({ CIRCLE_NODE_INDEX: '1', CIRCLE_NODE_TOTAL: '3' })).toMatchObject({ index: 2, total: 3 });
    expect(shardFromEnvironment({ BUILDKITE_PARALLEL_JOB: '0', BUILDKITE_PARALLEL_JOB_COUNT: '2' })).toMatchObject({ index: 1, total: 2 });
  });

  it('agrees with i/n for every index of every total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }).chain((total) => fc.tuple(fc.integer({ min: 0, max: total - 1 }), fc.constant(total))), ([zeroBased, total]) => {
        const fromJob = shardFromEnvironment({ JOB_COMPLETION_INDEX: String(zeroBased), DESKPILOT_SHARD_TOTAL: String(total) });
        expect({ index: fromJob.index, total: fromJob.total }).toEqual(parseShard(`${zeroBased + 1}/${total}`));
      }),
    );
  });

  it.each([
    [{}, '--shard auto found no shard in the environment; set DESKPILOT_SHARD=i/n'],
    [{ JOB_COMPLETION_INDEX: '1' }, 'JOB_COMPLETION_INDEX=1 (a Kubernetes Indexed Job) says which shard this is, but not how many there are; set JOB_COMPLETIONS or DESKPILOT_SHARD_TOTAL'],
    [{ JOB_COMPLETION_INDEX: '3', DESKPILOT_SHARD_TOTAL: '3' }, 'the shard must be from 1 to 3'],
    [{ DESKPILOT_SHARD_INDEX: 'x', DESKPILOT_SHARD_TOTAL: '3' }, 'DESKPILOT_SHARD_INDEX="x" is not a whole number'],
    [{ DESKPILOT_SHARD: 'two' }, '--shard auto (DESKPILOT_SHARD)'],
  ])('refuses %j clearly', (env, message) => {
    expect(() => shardFromEnvironment(env)).toThrow(message);
  });

  it('resolveShard takes i/n as before and auto from the environment', () => {
    expect(resolveShard('1/2', {})).toEqual({ index: 1, total: 2 });
    expect(resolveShard('auto', { JOB_COMPLETION_INDEX: '1', DESKPILOT_SHARD_TOTAL: '2' })).toEqual({ index: 2, total: 2 });
  });
});
