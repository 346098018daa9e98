// The overview page's summary figures: event and group counts from the stored trace row and
// one pass over fault_groups, p50/p99 through one list quantile, distinct devices and PASIDs
// among page requests. The same numbers as `pritrace stats` (tests/queries compare them) at a
// fraction of its cost on large traces, where stats computes every percentile twice.

import type { Db } from '../../db/instance.ts';
import { COMPLETED_GROUP_SQL } from '../../trace/schema.ts';
import { count } from './convert.ts';
import { quantilesSql, toQuantiles, type Quantiles } from './latency-quantiles.ts';

export interface TraceSummary {
  page_requests: number;
  unrecoverable_faults: number;
  groups: { total: number; answered: number; unanswered: number; orphan_responses: number };
  latency_ns: Quantiles;
  devices: number;
  pasids: number;
}

export async function traceSummary(db: Db, traceId: number): Promise<TraceSummary> {
  const [t] = await db.all<Record<string, unknown>>('SELECT page_requests, unrecoverable_faults FROM traces WHERE trace_id = $1', [traceId]);
  const [g] = await db.all<Record<string, unknown>>(
    `SELECT count(*) FILTER (${COMPLETED_GROUP_SQL}) AS total,
       count(*) FILTER (status = 'unanswered') AS unanswered,
       count(*) FILTER (status = 'orphan_response') AS orphan_responses
     FROM fault_groups WHERE trace_id = $1`,
    [traceId],
  );
  const [q] = await db.all<Record<string, unknown>>(
    `SELECT count(*) AS n, ${quantilesSql('latency_ns')} FROM fault_groups WHERE trace_id = $1 AND status = 'answered'`,
    [traceId],
  );
  const [d] = await db.all<Record<string, unknown>>(
    `SELECT count(DISTINCT device) AS devices, count(DISTINCT pasid) AS pasids
     FROM events WHERE trace_id = $1 AND kind = 'page_request'`,
    [traceId],
  );
  const latency = toQuantiles(q?.n, q?.q, q?.max);
  return {
    page_requests: count(t?.page_requests),
    unrecoverable_faults: count(t?.unrecoverable_faults),
    groups: { total: count(g?.total), answered: latency.count, unanswered: count(g?.unanswered), orphan_responses: count(g?.orphan_responses) },
    latency_ns: latency,
    devices: count(d?.devices),
    pasids: count(d?.pasids),
  };
}
