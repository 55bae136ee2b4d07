/**
 * The one percentile definition of every figure the load tools print: linear interpolation
 * between the closest ranks, rank = p/100 × (n − 1). It is k6's `p(N)` (and numpy's default), so
 * the summaries read like k6's; the median is p(50), the mean of the two middle values when n is even.
 */

/** p(`p`) of values already sorted ascending; 0 for none, as k6's summary shows an empty trend. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (rank - low);
}

/** Values sorted ascending as numbers (not as strings, which Array.prototype.sort would do). */
export function sortedAscending(values: readonly number[]): number[] {
  return Array.from(Float64Array.from(values).sort());
}

/** p(`p`) of unsorted values; NaN for none, so a bench prints "no data" rather than a 0 that looks measured. */
export function percentileOf(values: readonly number[], p: number): number {
  return values.length === 0 ? Number.NaN : percentile(sortedAscending(values), p);
}

/** p(50) of unsorted values (NaN for none). */
export function median(values: readonly number[]): number {
  return percentileOf(values, 50);
}
