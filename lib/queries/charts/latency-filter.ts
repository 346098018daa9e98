// The latency page's filters (device, PASID, response code, time range) as a typed value and
// the SQL condition that applies them. The condition text is fixed column names and
// placeholders; the values always travel as bound parameters.

import type { SqlParam } from '../../db/instance.ts';

/** A half-open time window [from_ns, to_ns), ns since the trace's first event (what the charts plot). */
export interface TimeRange {
  from_ns: bigint;
  to_ns: bigint;
}

export interface LatencyFilter {
  device?: string | null;
  pasid?: number | null;
  /** Normalised response code: 0 success, 1 invalid, 2 failure. */
  code?: number | null;
  /** Groups whose last-page request falls in the window (the time the over-time chart plots them at). */
  range?: TimeRange | null;
}

export interface FilterSql {
  /** `AND …` conditions on fault_groups columns, or '' when nothing is filtered. */
  sql: string;
  params: SqlParam[];
}

/**
 * Conditions for filter, numbering placeholders from firstParam (the caller's own parameters
 * come first). Columns are referenced through alias (e.g. `g.`) when one is given.
 */
export function latencyFilterSql(filter: LatencyFilter, firstParam: number, alias = ''): FilterSql {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  const param = (value: SqlParam) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const add = (column: string, value: SqlParam) => parts.push(`AND ${alias}${column} = ${param(value)}`);
  if (filter.device !== undefined && filter.device !== null) add('device', filter.device);
  if (filter.pasid !== undefined && filter.pasid !== null) add('pasid', filter.pasid);
  if (filter.code !== undefined && filter.code !== null) add('code', filter.code);
  if (filter.range) {
    // The window is relative to the trace start, which lives on the traces row; a correlated
    // lookup keeps the condition usable by every caller whatever placeholder holds its trace id.
    const origin = `(SELECT first_ts_ns FROM traces t WHERE t.trace_id = ${alias || 'fault_groups.'}trace_id)`;
    parts.push(`AND ${alias}last_ts_ns >= ${origin} + CAST(${param(filter.range.from_ns)} AS BIGINT)`);
    parts.push(`AND ${alias}last_ts_ns < ${origin} + CAST(${param(filter.range.to_ns)} AS BIGINT)`);
  }
  return { sql: parts.join(' '), params };
}

export function isFiltered(filter: LatencyFilter): boolean {
  return latencyFilterSql(filter, 1).params.length > 0;
}
