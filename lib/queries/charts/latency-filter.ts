// The latency page's filters (device, PASID, response code) as a typed value and the SQL
// condition that applies them. The condition text is fixed column names and placeholders;
// the values always travel as bound parameters.

import type { SqlParam } from '../../db/instance.ts';

export interface LatencyFilter {
  device?: string | null;
  pasid?: number | null;
  /** Normalised response code: 0 success, 1 invalid, 2 failure. */
  code?: number | null;
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
  const add = (column: string, value: SqlParam) => {
    params.push(value);
    parts.push(`AND ${alias}${column} = $${firstParam + params.length - 1}`);
  };
  if (filter.device !== undefined && filter.device !== null) add('device', filter.device);
  if (filter.pasid !== undefined && filter.pasid !== null) add('pasid', filter.pasid);
  if (filter.code !== undefined && filter.code !== null) add('code', filter.code);
  return { sql: parts.join(' '), params };
}

export function isFiltered(filter: LatencyFilter): boolean {
  return latencyFilterSql(filter, 1).params.length > 0;
}
