// Per-device and per-PASID tables of the overview page: faults (page requests plus
// unrecoverable faults) and their share of the trace's, groups, and nearest-rank latency
// percentiles of answered groups (one list quantile per key). Sorted by faults, top `limit`
// rows, with the number of rows left out so the page can say so.

import type { Db } from '../../db/instance.ts';
import { COMPLETED_GROUP_SQL } from '../../trace/schema.ts';
import { count, num } from './convert.ts';
import { quantilesSql } from './latency-quantiles.ts';

export interface BreakdownRow {
  /** Device name, or the PASID as a number. */
  key: string | number | null;
  page_requests: number;
  unrecoverable_faults: number;
  /** Of all page requests and unrecoverable faults in the trace, 0..1. */
  share: number;
  groups: number;
  answered: number;
  unanswered: number;
  p50_ns: number | null;
  p99_ns: number | null;
  max_ns: number | null;
}

export interface Breakdown {
  rows: BreakdownRow[];
  /** Keys beyond `limit`. */
  omitted: number;
}

type Dimension = 'device' | 'pasid';

/** The join key of each dimension: its value as text, '' for none. */
const KEY: Record<Dimension, string> = {
  device: "coalesce(device, '')",
  pasid: "coalesce(CAST(pasid AS VARCHAR), '')",
};

async function breakdown(db: Db, traceId: number, dim: Dimension, limit: number): Promise<Breakdown> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const [t] = await db.all<{ n: bigint | null }>('SELECT unrecoverable_faults AS n FROM traces WHERE trace_id = $1', [traceId]);
  // Page requests are counted from fault_groups (every request sits in exactly one group, stop
  // markers in their own row with pages = 1): a third of the rows of events to scan. events
  // is read only for unrecoverable faults, and only when the trace has any.
  const unrecoverable =
    count(t?.n) > 0
      ? `SELECT ${KEY[dim]} AS jk, any_value(${dim}) AS k, count(*) AS unrecoverable_faults
         FROM events WHERE trace_id = $1 AND kind = 'unrecoverable_fault' GROUP BY jk`
      : 'SELECT NULL::VARCHAR AS jk, NULL AS k, 0::BIGINT AS unrecoverable_faults WHERE false';
  // dim is one of two fixed column names chosen by the exported functions, never user text.
  // The join key is the value as text with NULL (or the '' fault_groups stores for a missing
  // device) as '': IS NOT DISTINCT FROM would make DuckDB fall back to a nested-loop join,
  // quadratic in the number of PASIDs.
  const rows = await db.all<Record<string, unknown>>(
    `WITH grp AS (
       SELECT ${KEY[dim]} AS jk, any_value(${dim}) AS k,
         sum(pages) AS page_requests,
         count(*) FILTER (${COMPLETED_GROUP_SQL}) AS groups,
         count(*) FILTER (status = 'answered') AS answered,
         count(*) FILTER (status = 'unanswered') AS unanswered,
         ${quantilesSql('latency_ns')}
       FROM fault_groups WHERE trace_id = $1 AND status IN ('answered', 'unanswered', 'incomplete', 'stop_marker')
       GROUP BY jk
     ),
     unrec AS (${unrecoverable}),
     joined AS (
       SELECT jk, coalesce(grp.k, unrec.k) AS k,
         coalesce(grp.page_requests, 0) AS page_requests, coalesce(unrec.unrecoverable_faults, 0) AS unrecoverable_faults,
         coalesce(grp.groups, 0) AS groups, coalesce(grp.answered, 0) AS answered, coalesce(grp.unanswered, 0) AS unanswered,
         grp.q, grp.max
       FROM grp FULL OUTER JOIN unrec USING (jk)
     )
     SELECT CASE WHEN jk = '' THEN NULL ELSE k END AS k, page_requests, unrecoverable_faults, groups, answered, unanswered, q, max,
       (page_requests + unrecoverable_faults) / sum(page_requests + unrecoverable_faults) OVER () AS share,
       count(*) OVER () AS total_keys
     FROM joined
     ORDER BY page_requests + unrecoverable_faults DESC, k NULLS LAST
     LIMIT $2`,
    [traceId, limit],
  );
  const total = rows.length ? count(rows[0]!.total_keys) : 0;
  return {
    rows: rows.map((r) => ({
      key: r.k === null || r.k === undefined ? null : dim === 'pasid' ? Number(r.k) : String(r.k),
      page_requests: count(r.page_requests),
      unrecoverable_faults: count(r.unrecoverable_faults),
      share: num(r.share) ?? 0,
      groups: count(r.groups),
      answered: count(r.answered),
      unanswered: count(r.unanswered),
      p50_ns: Array.isArray(r.q) ? num(r.q[0]) : null,
      p99_ns: Array.isArray(r.q) ? num(r.q[2]) : null,
      max_ns: num(r.max),
    })),
    omitted: Math.max(0, total - rows.length),
  };
}

export function deviceBreakdown(db: Db, traceId: number, limit = 50): Promise<Breakdown> {
  return breakdown(db, traceId, 'device', limit);
}

export function pasidBreakdown(db: Db, traceId: number, limit = 50): Promise<Breakdown> {
  return breakdown(db, traceId, 'pasid', limit);
}
