// Latency over the trace's time: groups bucketed by when their last page was requested, with
// count, p50, p99 and max per bucket, all computed in SQL, in the trace's shared bucket width
// (time-buckets.ts: the same on every page, whatever the device/PASID/code filter). Times are
// ns since the trace's first event. A time range in the filter zooms: the buckets then divide
// the range, not the whole trace, so a zoom shows finer detail.

import type { Db } from '../../db/instance.ts';
import { count, num } from './convert.ts';
import { latencyFilterSql, type LatencyFilter } from './latency-filter.ts';
import { traceTimeBuckets } from './time-buckets.ts';

export interface LatencyBucket {
  /** Bucket start, ns since the trace's first event. */
  t_ns: number;
  count: number;
  p50_ns: number;
  p99_ns: number;
  max_ns: number;
}

export interface LatencyOverTime {
  bucket_ns: number;
  /** The whole trace's span, ns (the time axis' limit when zooming). */
  extent_ns: number;
  buckets: LatencyBucket[];
}

export async function latencyOverTime(db: Db, traceId: number, filter: LatencyFilter = {}): Promise<LatencyOverTime> {
  const t = await traceTimeBuckets(db, traceId, filter.range ?? null);
  if (!t) return { bucket_ns: 0, extent_ns: 0, buckets: [] };
  const from = t.from_ns;
  const width = t.width_ns;
  const g = latencyFilterSql(filter, 4);
  const rows = await db.all<Record<string, unknown>>(
    `SELECT (last_ts_ns - CAST($2 AS BIGINT)) // CAST($3 AS BIGINT) AS b, count(*) AS n,
       quantile_disc(latency_ns, 0.5) AS p50, quantile_disc(latency_ns, 0.99) AS p99, max(latency_ns) AS max
     FROM fault_groups
     WHERE trace_id = $1 AND status = 'answered' ${g.sql}
     GROUP BY b ORDER BY b`,
    [traceId, t.origin_ns + from, width, ...g.params],
  );
  const w = Number(width);
  return {
    bucket_ns: w,
    extent_ns: Number(t.extent_ns),
    buckets: rows.map((r) => ({
      t_ns: Number(from) + count(r.b) * w,
      count: count(r.n),
      p50_ns: num(r.p50) ?? 0,
      p99_ns: num(r.p99) ?? 0,
      max_ns: num(r.max) ?? 0,
    })),
  };
}
