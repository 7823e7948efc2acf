// Order statistics for repeated measurements: medians and the 10th/90th percentiles, never means
// alone (one garbage-collection pause or a late frame moves a mean, not a median).

export type Summary = {
  readonly n: number;
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
};

/** The q-quantile (0..1) of values sorted ascending, interpolated linearly between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not in 0..1`);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

/** Median, p10, p90, extremes and mean of the finite values; undefined when there are none. */
export function summarize(values: readonly number[]): Summary | undefined {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

/** Rounds every number in a summary, for a results file people read. */
export function rounded(summary: Summary | undefined, digits = 1): Summary | undefined {
  if (!summary) return undefined;
  const round = (value: number) => Number(value.toFixed(digits));
  return {
    n: summary.n,
    median: round(summary.median),
    p10: round(summary.p10),
    p90: round(summary.p90),
    min: round(summary.min),
    max: round(summary.max),
    mean: round(summary.mean),
  };
}
