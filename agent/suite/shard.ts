import { DeskpilotError } from '../errors.ts';

// One suite over n machines: shard i of n takes the i-th contiguous slice of the cases in their
// stable order. Every case lands in exactly one shard (no overlap, no gap) whatever n is, and the
// slices differ in size by at most one. Each machine computes its slice alone; nothing is shared.

export type Shard = { readonly index: number; readonly total: number };

export class ShardError extends DeskpilotError {
  constructor(message: string) {
    super('INVALID_SHARD', message);
  }
}

/** `"2/3"` -> `{ index: 2, total: 3 }`. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new ShardError(`--shard ${JSON.stringify(text)} is not i/n; write e.g. --shard 1/4 for the first of four machines.`);
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (total < 1) throw new ShardError(`--shard ${text}: the number of shards must be 1 or more.`);
  if (index < 1 || index > total) throw new ShardError(`--shard ${text}: the shard must be from 1 to ${total}.`);
  return { index, total };
}

/** The bounds [start, end) of a shard's slice of `count` items. */
export function shardBounds(count: number, shard: Shard): { start: number; end: number } {
  return { start: Math.floor(((shard.index - 1) * count) / shard.total), end: Math.floor((shard.index * count) / shard.total) };
}

/** The items of one shard; `items` must be in the same order on every machine. */
export function shardOf<T>(items: readonly T[], shard: Shard): T[] {
  const { start, end } = shardBounds(items.length, shard);
  return items.slice(start, end);
}
