// p50/p90/p99/p99.9/max/mean of group latency for the latency page, optionally filtered.
// Unfiltered it must equal `pritrace stats` to the nanosecond, so it is built from the same
// SQL helper (latencyFiguresSql: nearest-rank quantile_disc over answered groups). The span
// (what the device waits) is secondary and takes the one-sort path of latency-quantiles.ts.

import type { Db } from '../../db/instance.ts';
import { latencyFiguresSql, toLatencyFigures, type LatencyFigures } from '../trace-stats.ts';
import { count } from './convert.ts';
import { latencyFilterSql, type LatencyFilter } from './latency-filter.ts';
import { latencyQuantiles, type Quantiles } from './latency-quantiles.ts';

export interface LatencyFiguresResult {
  /** Answered groups the figures are over. */
  answered: number;
  latency_ns: LatencyFigures;
  span_ns: Quantiles;
}

export async function latencyFigures(db: Db, traceId: number, filter: LatencyFilter = {}): Promise<LatencyFiguresResult> {
  const f = latencyFilterSql(filter, 2);
  const [row] = await db.all<Record<string, unknown>>(
    `SELECT count(*) FILTER (status = 'answered') AS answered, ${latencyFiguresSql('latency_ns')}
     FROM fault_groups WHERE trace_id = $1 ${f.sql}`,
    [traceId, ...f.params],
  );
  const span = await latencyQuantiles(db, traceId, filter, 'span_ns');
  return { answered: count(row!.answered), latency_ns: toLatencyFigures(row!), span_ns: span };
}
