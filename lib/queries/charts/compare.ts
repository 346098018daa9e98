// What the compare page puts side by side for two traces or two replay runs (or one of each):
// latency histograms over one set of log buckets counted for both sides in the same query, and
// per-device / per-PASID deltas (groups, p50, p99), the keys that moved most first. A trace's
// groups are its completed ones (answered or unanswered, latency only when answered); a run's
// are its replayed groups (latency NULL when the run lost the group).

import type { Db } from '../../db/instance.ts';
import { COMPLETED_GROUP_SQL } from '../../trace/schema.ts';
import { count, num } from './convert.ts';
import { bucketEdgeNs, checkBinsPerDecade, logBucketSql } from './latency-histogram.ts';

export type LatencySource = { kind: 'trace'; trace_id: number } | { kind: 'run'; run_id: number };

/**
 * One side's groups as SQL with columns device (NULL when none), pasid and latency_ns, its id
 * bound to placeholder $param. Only the two fixed texts below are ever chosen, never user text.
 */
function sideSql(src: LatencySource, param: number): string {
  return src.kind === 'trace'
    ? `SELECT nullif(device, '') AS device, pasid, CASE WHEN status = 'answered' THEN latency_ns END AS latency_ns
       FROM fault_groups WHERE trace_id = $${param} AND ${COMPLETED_GROUP_SQL}`
    : `SELECT nullif(device, '') AS device, pasid, latency_ns FROM replay_results WHERE run_id = $${param}`;
}

function sideId(src: LatencySource): number {
  return src.kind === 'trace' ? src.trace_id : src.run_id;
}

/** Both sides tagged 'a' and 'b', the ids bound to $1 and $2. */
function bothSides(a: LatencySource, b: LatencySource): string {
  return `SELECT 'a' AS side, * FROM (${sideSql(a, 1)}) UNION ALL SELECT 'b' AS side, * FROM (${sideSql(b, 2)})`;
}

export interface SharedBin {
  /** Inclusive lower edge, ns (0 for the zero bucket). */
  lower_ns: number;
  /** Exclusive upper edge, ns. */
  upper_ns: number;
  a: number;
  b: number;
}

export interface SharedHistogram {
  bins: SharedBin[];
  /** Answered groups per side (the bins of each side sum to it). */
  total_a: number;
  total_b: number;
  bins_per_decade: number;
}

/** Latencies of both sides in the same log buckets, empty buckets between the extremes filled. */
export async function sharedHistogram(db: Db, a: LatencySource, b: LatencySource, binsPerDecade = 10): Promise<SharedHistogram> {
  checkBinsPerDecade(binsPerDecade);
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${logBucketSql('latency_ns', 3)} AS bucket, count(*) FILTER (side = 'a') AS na, count(*) FILTER (side = 'b') AS nb
     FROM (${bothSides(a, b)})
     WHERE latency_ns IS NOT NULL
     GROUP BY bucket ORDER BY bucket NULLS FIRST`,
    [sideId(a), sideId(b), binsPerDecade],
  );
  const out: SharedHistogram = { bins: [], total_a: 0, total_b: 0, bins_per_decade: binsPerDecade };
  const byBucket = new Map<number, { a: number; b: number }>();
  for (const r of rows) {
    const n = { a: count(r.na), b: count(r.nb) };
    out.total_a += n.a;
    out.total_b += n.b;
    if (r.bucket === null) out.bins.push({ lower_ns: 0, upper_ns: 1, ...n });
    else byBucket.set(Number(r.bucket), n);
  }
  if (byBucket.size) {
    const keys = [...byBucket.keys()];
    for (let k = Math.min(...keys); k <= Math.max(...keys); k++) {
      out.bins.push({ lower_ns: bucketEdgeNs(k, binsPerDecade), upper_ns: bucketEdgeNs(k + 1, binsPerDecade), ...(byBucket.get(k) ?? { a: 0, b: 0 }) });
    }
  }
  return out;
}

export interface BreakdownDeltaRow {
  /** Device name or PASID; null for groups without one. */
  key: string | number | null;
  groups_a: number;
  groups_b: number;
  /** Nearest-rank latency percentiles of the key's answered groups; null when the side has none. */
  p50_a: number | null;
  p50_b: number | null;
  p99_a: number | null;
  p99_b: number | null;
}

export interface BreakdownDelta {
  /** Sorted by |p99 B − p99 A| descending; keys present (answered) on one side only come last. */
  rows: BreakdownDeltaRow[];
  /** Keys beyond `limit`. */
  omitted: number;
}

export type DeltaDimension = 'device' | 'pasid';

export async function breakdownDelta(db: Db, a: LatencySource, b: LatencySource, dim: DeltaDimension, limit = 20): Promise<BreakdownDelta> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const key = dim === 'device' ? 'device' : 'pasid';
  const rows = await db.all<Record<string, unknown>>(
    `WITH per AS (
       SELECT ${key} AS k,
         count(*) FILTER (side = 'a') AS groups_a, count(*) FILTER (side = 'b') AS groups_b,
         quantile_disc(latency_ns, [0.5, 0.99]) FILTER (side = 'a') AS qa,
         quantile_disc(latency_ns, [0.5, 0.99]) FILTER (side = 'b') AS qb
       FROM (${bothSides(a, b)})
       GROUP BY k
     )
     SELECT k, groups_a, groups_b, qa, qb, count(*) OVER () AS total_keys
     FROM per
     ORDER BY abs(qb[2] - qa[2]) DESC NULLS LAST, greatest(groups_a, groups_b) DESC, k NULLS LAST
     LIMIT $3`,
    [sideId(a), sideId(b), limit],
  );
  const total = rows.length ? count(rows[0]!.total_keys) : 0;
  const q = (v: unknown, i: number) => (Array.isArray(v) ? num(v[i]) : null);
  return {
    rows: rows.map((r) => ({
      key: r.k === null || r.k === undefined ? null : dim === 'pasid' ? Number(r.k) : String(r.k),
      groups_a: count(r.groups_a),
      groups_b: count(r.groups_b),
      p50_a: q(r.qa, 0),
      p50_b: q(r.qb, 0),
      p99_a: q(r.qa, 1),
      p99_b: q(r.qb, 1),
    })),
    omitted: Math.max(0, total - rows.length),
  };
}
