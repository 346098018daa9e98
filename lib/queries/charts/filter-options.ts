// The values the latency page's filters offer: devices, PASIDs and response codes that occur
// among the trace's answered groups, with how many groups each has (largest first, capped,
// so a trace with thousands of PASIDs still gives a usable list).

import type { Db } from '../../db/instance.ts';
import { count } from './convert.ts';

export interface FilterOption<T> {
  value: T;
  groups: number;
}

export interface LatencyFilterOptions {
  devices: FilterOption<string>[];
  pasids: FilterOption<number>[];
  codes: FilterOption<number>[];
}

export async function latencyFilterOptions(db: Db, traceId: number, limit = 200): Promise<LatencyFilterOptions> {
  const rows = await db.all<{ dim: string; v: string; n: bigint }>(
    `WITH answered AS (SELECT device, pasid, code FROM fault_groups WHERE trace_id = $1 AND status = 'answered'),
     ranked AS (
       SELECT dim, v, n, row_number() OVER (PARTITION BY dim ORDER BY n DESC, v) AS rk FROM (
         SELECT 'device' AS dim, device AS v, count(*) AS n FROM answered WHERE device IS NOT NULL GROUP BY device
         UNION ALL
         SELECT 'pasid', CAST(pasid AS VARCHAR), count(*) FROM answered WHERE pasid IS NOT NULL GROUP BY pasid
         UNION ALL
         SELECT 'code', CAST(code AS VARCHAR), count(*) FROM answered WHERE code IS NOT NULL GROUP BY code
       )
     )
     SELECT dim, v, n FROM ranked WHERE rk <= $2 ORDER BY dim, rk`,
    [traceId, limit],
  );
  const out: LatencyFilterOptions = { devices: [], pasids: [], codes: [] };
  for (const r of rows) {
    if (r.dim === 'device') out.devices.push({ value: r.v, groups: count(r.n) });
    else if (r.dim === 'pasid') out.pasids.push({ value: Number(r.v), groups: count(r.n) });
    else out.codes.push({ value: Number(r.v), groups: count(r.n) });
  }
  out.devices.sort((a, b) => a.value.localeCompare(b.value));
  out.pasids.sort((a, b) => a.value - b.value);
  out.codes.sort((a, b) => a.value - b.value);
  return out;
}

export type SearchableDimension = 'device' | 'pasid';

/**
 * The picker's server-side search over every value, not only the listed top ones: devices whose
 * name contains the text (any case), PASIDs whose decimal form starts with it, or whose hex form
 * starts with it after "0x". Most groups first, at most `limit`.
 */
export async function searchFilterValues(
  db: Db,
  traceId: number,
  dim: SearchableDimension,
  text: string,
  limit = 50,
): Promise<FilterOption<string | number>[]> {
  const q = text.trim().toLowerCase();
  if (dim === 'device') {
    const rows = await db.all<{ v: string; n: bigint }>(
      `SELECT device AS v, count(*) AS n FROM fault_groups
       WHERE trace_id = $1 AND status = 'answered' AND device IS NOT NULL AND contains(lower(device), $2)
       GROUP BY device ORDER BY n DESC, device LIMIT $3`,
      [traceId, q, limit],
    );
    return rows.map((r) => ({ value: r.v, groups: count(r.n) }));
  }
  const hex = /^0x[0-9a-f]*$/.test(q);
  if (!hex && !/^\d*$/.test(q)) return [];
  const rows = await db.all<{ v: number; n: bigint }>(
    `SELECT pasid AS v, count(*) AS n FROM fault_groups
     WHERE trace_id = $1 AND status = 'answered' AND pasid IS NOT NULL
       AND starts_with(CASE WHEN $2 THEN lower(printf('%x', pasid)) ELSE CAST(pasid AS VARCHAR) END, $3)
     GROUP BY pasid ORDER BY n DESC, pasid LIMIT $4`,
    [traceId, hex, hex ? q.slice(2) : q, limit],
  );
  return rows.map((r) => ({ value: Number(r.v), groups: count(r.n) }));
}
