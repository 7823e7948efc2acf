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

/**
 * Where CI systems say which of n parallel jobs this is. `base` is the first index (0 or 1); the
 * total may be absent from a system's own variables (a Kubernetes Indexed Job tells a pod its index
 * only), and is then read from DESKPILOT_SHARD_TOTAL.
 */
const CI_SHARD_VARIABLES: readonly { readonly index: string; readonly total: string; readonly base: 0 | 1; readonly system: string }[] = [
  { index: 'DESKPILOT_SHARD_INDEX', total: 'DESKPILOT_SHARD_TOTAL', base: 1, system: 'Deskpilot (e.g. a GitHub Actions matrix value passed as env)' },
  { index: 'JOB_COMPLETION_INDEX', total: 'JOB_COMPLETIONS', base: 0, system: 'a Kubernetes Indexed Job' },
  { index: 'CI_NODE_INDEX', total: 'CI_NODE_TOTAL', base: 1, system: 'GitLab CI parallel' },
  { index: 'CIRCLE_NODE_INDEX', total: 'CIRCLE_NODE_TOTAL', base: 0, system: 'CircleCI parallelism' },
  { index: 'BUILDKITE_PARALLEL_JOB', total: 'BUILDKITE_PARALLEL_JOB_COUNT', base: 0, system: 'Buildkite parallelism' },
];

export type ShardFromEnvironment = Shard & { readonly source: string };

/**
 * `--shard auto`: the shard from the CI's own variables. DESKPILOT_SHARD (`i/n`) wins; then the
 * first system whose index variable is set, its total from its own variable or DESKPILOT_SHARD_TOTAL.
 */
export function shardFromEnvironment(env: Readonly<Record<string, string | undefined>>): ShardFromEnvironment {
  const given = env.DESKPILOT_SHARD?.trim();
  if (given) return { ...parseShardText(given, 'DESKPILOT_SHARD'), source: 'DESKPILOT_SHARD' };
  for (const variables of CI_SHARD_VARIABLES) {
    const indexText = env[variables.index]?.trim();
    if (!indexText) continue;
    const totalName = env[variables.total]?.trim() ? variables.total : 'DESKPILOT_SHARD_TOTAL';
    const totalText = env[totalName]?.trim();
    if (!totalText) throw new ShardError(`--shard auto: ${variables.index}=${indexText} (${variables.system}) says which shard this is, but not how many there are; set ${variables.total === 'DESKPILOT_SHARD_TOTAL' ? '' : `${variables.total} or `}DESKPILOT_SHARD_TOTAL to the number of shards.`);
    if (!/^\d+$/.test(indexText)) throw new ShardError(`--shard auto: ${variables.index}=${JSON.stringify(indexText)} is not a whole number.`);
    if (!/^\d+$/.test(totalText)) throw new ShardError(`--shard auto: ${totalName}=${JSON.stringify(totalText)} is not a whole number.`);
    const index = Number(indexText) + (1 - variables.base);
    return { ...parseShardText(`${index}/${totalText}`, `${variables.index}=${indexText}, ${totalName}=${totalText}`), source: `${variables.index}, ${totalName}` };
  }
  throw new ShardError(
    `--shard auto found no shard in the environment; set DESKPILOT_SHARD=i/n, or DESKPILOT_SHARD_INDEX (from 1) and DESKPILOT_SHARD_TOTAL (a GitHub Actions matrix passes them as env), or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) with DESKPILOT_SHARD_TOTAL.`,
  );
}

function parseShardText(text: string, where: string): Shard {
  try {
    return parseShard(text);
  } catch (error) {
    if (error instanceof ShardError) throw new ShardError(`--shard auto (${where}): ${error.message.replace(/^--shard [^:]*: ?/, '')}`);
    throw error;
  }
}

/** `--shard`: `i/n`, or `auto` to read it from the CI's variables. */
export function resolveShard(text: string, env: Readonly<Record<string, string | undefined>>): Shard {
  if (text.trim() === 'auto') {
    const { index, total } = shardFromEnvironment(env);
    return { index, total };
  }
  return parseShard(text);
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
