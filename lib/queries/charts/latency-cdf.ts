// Empirical CDF of answered-group latency, at most `points` points, picked in SQL. Each
// point is a real group: (its latency, the fraction of groups at or below it by rank), so
// the curve's last point is the max at 1.0 and fractions match nearest-rank percentiles.

import type { Db } from '../../db/instance.ts';
import { count } from './convert.ts';
import { latencyFilterSql, type LatencyFilter } from './latency-filter.ts';

export interface CdfPoint {
  latency_ns: number;
  /** Fraction of groups with latency ≤ latency_ns (by rank), 0 < fraction ≤ 1. */
  fraction: number;
}

export async function latencyCdf(db: Db, traceId: number, filter: LatencyFilter = {}, points = 1000): Promise<CdfPoint[]> {
  if (!Number.isInteger(points) || points < 2 || points > 5000) {
    throw new RangeError(`points must be an integer in [2, 5000], got ${points}`);
  }
  const f = latencyFilterSql(filter, 3);
  // Keep the first rank and the last rank of each of `points` equal slices of the ranks:
  // a rank r is kept when r·points/n crosses an integer.
  const rows = await db.all<{ latency_ns: bigint; r: bigint; n: bigint }>(
    `SELECT latency_ns, r, n FROM (
       SELECT latency_ns, row_number() OVER (ORDER BY latency_ns) AS r, count(*) OVER () AS n
       FROM fault_groups
       WHERE trace_id = $1 AND status = 'answered' ${f.sql}
     )
     WHERE r = 1 OR r = n OR (r * $2) // n <> ((r - 1) * $2) // n
     ORDER BY r`,
    [traceId, points - 1, ...f.params],
  );
  return rows.map((r) => ({ latency_ns: count(r.latency_ns), fraction: count(r.r) / count(r.n) }));
}
