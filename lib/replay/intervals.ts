// How sure a replayed figure is. A replayed percentile is a random variable of the seed
// (replay-physics.md §8: p99 moves 5–13 % from seed to seed), so a run replays K seeds and
// reports each figure as {value, lo, hi}: value = the mean over the seeds, [lo, hi] = the 95 %
// prediction interval of one more seed's value (mean ± t(0.975, K − 1) · sd · √(1 + 1/K)),
// which is what "would another seed land here?" asks. Differences between two runs use
// Welch's interval on the difference of the two means. Pure arithmetic, no I/O.

export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

/** Student t 0.975 quantiles for df = 1 … 30 (standard tables; checked against a numerical
 *  integration of the t density in tests/replay/intervals.test.ts). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
const T975_LARGE: [number, number][] = [
  [40, 2.021],
  [60, 2.0],
  [120, 1.98],
];

/** t(0.975, df); a fractional df (Welch) is rounded down, which widens the interval. */
export function t975(df: number): number {
  if (!(df >= 1)) return Infinity;
  const d = Math.floor(df);
  if (d <= 30) return T975[d - 1]!;
  let t = T975[29]!;
  for (const [at, v] of T975_LARGE) if (d >= at) t = v;
  return d >= 1000 ? 1.96 : t;
}

function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) * (v - mean), 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}

/**
 * The 95 % prediction interval of a further seed's value from the values of K seeds; null when
 * any seed has no value (no answered groups). With one seed the interval is that value alone
 * (nothing is known about the noise) — callers say so.
 */
export function predictionInterval(values: readonly (number | null)[], opts: { nonNegative?: boolean } = {}): Interval | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  const v = values as number[];
  const { mean, sd } = meanSd(v);
  const half = v.length < 2 ? 0 : t975(v.length - 1) * sd * Math.sqrt(1 + 1 / v.length);
  // A latency or a count cannot go below 0; cutting the interval there changes no coverage.
  return { value: mean, lo: opts.nonNegative ? Math.max(0, mean - half) : mean - half, hi: mean + half };
}

export interface Difference extends Interval {
  /** value / lo / hi divided by side A's mean (null when A's mean is 0). */
  relative: Interval | null;
  /** The 95 % interval of the difference excludes 0: larger than the seed noise. */
  significant: boolean;
}

/**
 * B − A as the difference of the seed means with Welch's 95 % interval. The seeds of the two
 * sides may be the same numbers: the models draw differently from one seed, and treating the
 * sides as independent only widens the interval when their draws correlate.
 */
export function differenceInterval(a: readonly (number | null)[], b: readonly (number | null)[]): Difference | null {
  if (a.length === 0 || b.length === 0 || a.some((v) => v === null) || b.some((v) => v === null)) return null;
  const A = meanSd(a as number[]);
  const B = meanSd(b as number[]);
  const va = (A.sd * A.sd) / a.length;
  const vb = (B.sd * B.sd) / b.length;
  const se = Math.sqrt(va + vb);
  // Welch–Satterthwaite degrees of freedom; with no spread on either side the difference is exact.
  const df = se === 0 ? Infinity : (va + vb) ** 2 / ((a.length > 1 ? (va * va) / (a.length - 1) : 0) + (b.length > 1 ? (vb * vb) / (b.length - 1) : 0));
  const half = a.length < 2 || b.length < 2 ? 0 : se === 0 ? 0 : t975(df) * se;
  const value = B.mean - A.mean;
  const lo = value - half;
  const hi = value + half;
  const relative = A.mean === 0 ? null : { value: value / A.mean, lo: lo / A.mean, hi: hi / A.mean };
  // With one seed on a side nothing separates design from noise: never significant.
  const significant = a.length >= 2 && b.length >= 2 && (lo > 0 || hi < 0);
  return { value, lo, hi, relative, significant };
}
