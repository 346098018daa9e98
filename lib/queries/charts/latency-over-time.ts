// Latency over the trace's time: groups bucketed by when their last page was requested, with
// count, p50, p99 and max per bucket, all computed in SQL. The bucket width is the trace span
// over about 2·√groups buckets (at most maxBuckets) rounded up to 1/2/5 × 10^k ns, so at most
// maxBuckets points leave the database however long the trace. Times are ns since the
// trace's first event. A time range in the filter zooms: the buckets then divide the range,
// not the whole trace, so a zoom shows finer detail.

import type { Db } from '../../db/instance.ts';
import { bucketCount, count, niceWidthNs, num } from './convert.ts';
import { latencyFilterSql, type LatencyFilter } from './latency-filter.ts';
import { traceOrigin } from './trace-header.ts';

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
  buckets: LatencyBucket[];
}

export async function latencyOverTime(
  db: Db,
  traceId: number,
  filter: LatencyFilter = {},
  maxBuckets = 2000,
): Promise<LatencyOverTime> {
  const origin = await traceOrigin(db, traceId);
  if (origin.first_ts_ns === null || origin.last_ts_ns === null) return { bucket_ns: 0, buckets: [] };
  const f = latencyFilterSql(filter, 2);
  const [n] = await db.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM fault_groups WHERE trace_id = $1 AND status = 'answered' ${f.sql}`,
    [traceId, ...f.params],
  );
  const from = filter.range?.from_ns ?? 0n;
  const span = filter.range ? filter.range.to_ns - filter.range.from_ns : origin.last_ts_ns - origin.first_ts_ns + 1n;
  const width = niceWidthNs(span, bucketCount(count(n?.n), maxBuckets));
  const g = latencyFilterSql(filter, 4);
  const rows = await db.all<Record<string, unknown>>(
    `SELECT (last_ts_ns - CAST($2 AS BIGINT)) // CAST($3 AS BIGINT) AS b, count(*) AS n,
       quantile_disc(latency_ns, 0.5) AS p50, quantile_disc(latency_ns, 0.99) AS p99, max(latency_ns) AS max
     FROM fault_groups
     WHERE trace_id = $1 AND status = 'answered' ${g.sql}
     GROUP BY b ORDER BY b`,
    [traceId, origin.first_ts_ns + from, width, ...g.params],
  );
  const w = Number(width);
  return {
    bucket_ns: w,
    buckets: rows.map((r) => ({
      t_ns: Number(from) + count(r.b) * w,
      count: count(r.n),
      p50_ns: num(r.p50) ?? 0,
      p99_ns: num(r.p99) ?? 0,
      max_ns: num(r.max) ?? 0,
    })),
  };
}
