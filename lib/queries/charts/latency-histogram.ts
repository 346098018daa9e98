// Histogram of answered-group latency in logarithmic buckets (binsPerDecade per power of
// ten), counted in SQL. Empty buckets between the smallest and largest are filled in so the
// x axis stays evenly logarithmic; zero latencies (same-timestamp responses) get their own
// bucket because log(0) has none. Counts always sum to the answered groups in the filter.

import type { Db } from '../../db/instance.ts';
import { count, num } from './convert.ts';
import { latencyFilterSql, type LatencyFilter } from './latency-filter.ts';

export interface HistogramBin {
  /** Inclusive lower edge, ns (0 for the zero bucket). */
  lower_ns: number;
  /** Exclusive upper edge, ns. */
  upper_ns: number;
  count: number;
  /**
   * Smallest and largest latency in the bucket, ns (null when empty): the exact bounds a link
   * to the bucket's groups filters on, since the rounded edges are labels.
   */
  min_ns: number | null;
  max_ns: number | null;
}

export interface LatencyHistogram {
  bins: HistogramBin[];
  total: number;
  bins_per_decade: number;
}

/**
 * The log bucket of a latency column as SQL (NULL for zero or negative), with the buckets per
 * decade bound to placeholder $param. The small epsilon keeps exact powers of ten (1000 ns) in
 * the bucket they start, despite log10 rounding just below the integer.
 */
export function logBucketSql(col: string, param: number): string {
  return `CASE WHEN ${col} <= 0 THEN NULL ELSE CAST(floor(log10(${col}) * $${param} + 1e-9) AS INTEGER) END`;
}

export function checkBinsPerDecade(binsPerDecade: number): void {
  if (!Number.isInteger(binsPerDecade) || binsPerDecade < 1 || binsPerDecade > 100) {
    throw new RangeError(`binsPerDecade must be an integer in [1, 100], got ${binsPerDecade}`);
  }
}

export async function latencyHistogram(db: Db, traceId: number, filter: LatencyFilter = {}, binsPerDecade = 10): Promise<LatencyHistogram> {
  checkBinsPerDecade(binsPerDecade);
  const f = latencyFilterSql(filter, 3);
  const rows = await db.all<{ b: number | null; n: bigint; lo: bigint | null; hi: bigint | null }>(
    `SELECT ${logBucketSql('latency_ns', 2)} AS b,
       count(*) AS n, min(latency_ns) AS lo, max(latency_ns) AS hi
     FROM fault_groups
     WHERE trace_id = $1 AND status = 'answered' ${f.sql}
     GROUP BY b ORDER BY b NULLS FIRST`,
    [traceId, binsPerDecade, ...f.params],
  );
  const bins: HistogramBin[] = [];
  let total = 0;
  const byBucket = new Map<number, { n: number; lo: number | null; hi: number | null }>();
  for (const r of rows) {
    const n = count(r.n);
    total += n;
    if (r.b === null) bins.push({ lower_ns: 0, upper_ns: 1, count: n, min_ns: num(r.lo), max_ns: num(r.hi) });
    else byBucket.set(Number(r.b), { n, lo: num(r.lo), hi: num(r.hi) });
  }
  if (byBucket.size) {
    const keys = [...byBucket.keys()];
    const lo = Math.min(...keys);
    const hi = Math.max(...keys);
    for (let b = lo; b <= hi; b++) {
      const x = byBucket.get(b);
      bins.push({
        lower_ns: bucketEdgeNs(b, binsPerDecade),
        upper_ns: bucketEdgeNs(b + 1, binsPerDecade),
        count: x?.n ?? 0,
        min_ns: x?.lo ?? null,
        max_ns: x?.hi ?? null,
      });
    }
  }
  return { bins, total, bins_per_decade: binsPerDecade };
}

/** The lower edge of log bucket `bucket` at perDecade buckets per power of ten, ns. */
export function bucketEdgeNs(bucket: number, perDecade: number): number {
  // Rounded to 3 significant digits: edges are labels, and 10^0.1 = 1.2589… reads badly.
  return Number((10 ** (bucket / perDecade)).toPrecision(3));
}
