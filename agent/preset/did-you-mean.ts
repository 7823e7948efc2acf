// "Did you mean" for names a person typed: the closest known name, when it is close enough to be
// a slip (a typo, another case, snake_case for camelCase) rather than a different word.

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours (`modle` -> `model`) as one each. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** Case and word separators do not count: `max_steps`, `MaxSteps` and `max-steps` all mean `maxSteps`. */
const fold = (name: string) => name.toLowerCase().replace(/[-_\s]/g, '');

/** The known name closest to `given`, or undefined when none is close (at most a third of the letters differ, at most 3, none for names under 3 letters). */
export function didYouMean(given: string, known: readonly string[]): string | undefined {
  const folded = fold(given);
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(folded, fold(name));
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  // Short names differ by a letter from many others: only a change of case or separators counts for them.
  const allowed = folded.length < 3 ? 0 : Math.min(3, Math.max(1, Math.floor(folded.length / 3)));
  return best.distance <= allowed ? best.name : undefined;
}
