// Reads fault_groups / replay_results a page at a time for the exports that must not hold
// millions of groups in memory (csv.ts, chrome-trace.ts), and the Emit callback they write to.
// Pages are ranges of the dense ordinals (group_no, group_index) or windows cut at start-time
// quantiles: one range scan each, where "> last key ORDER BY … LIMIT" re-sorts the trace's
// groups for every page (measured ~10× slower at 5 M groups).

import type { Db } from '../db/instance.ts';

/** Receives the export piece by piece; a returned promise is awaited (backpressure). */
export type Emit = (chunk: string) => void | Promise<void>;

export const DEFAULT_PAGE_ROWS = 20_000;

export interface FaultGroupRow {
  group_no: bigint;
  iommu: string | null;
  device: string | null;
  pasid: number | null;
  prgi: number | null;
  status: string;
  pages: number | null;
  first_ts_ns: bigint | null;
  last_ts_ns: bigint | null;
  response_ts_ns: bigint | null;
  code: number | null;
  latency_ns: bigint | null;
  span_ns: bigint | null;
  first_line: bigint | null;
  last_line: bigint | null;
  response_line: bigint | null;
}

/** fault_groups' columns in schema order, without trace_id. */
export const FAULT_GROUP_COLUMNS = [
  'group_no',
  'iommu',
  'device',
  'pasid',
  'prgi',
  'status',
  'pages',
  'first_ts_ns',
  'last_ts_ns',
  'response_ts_ns',
  'code',
  'latency_ns',
  'span_ns',
  'first_line',
  'last_line',
  'response_line',
] as const satisfies readonly (keyof FaultGroupRow)[];

const GROUP_SELECT = `SELECT ${FAULT_GROUP_COLUMNS.join(', ')} FROM fault_groups`;

function checkPageRows(pageRows: number): bigint {
  if (!Number.isInteger(pageRows) || pageRows < 1) throw new RangeError(`pageRows must be a positive integer, got ${pageRows}`);
  return BigInt(pageRows);
}

/** Every fault group of the trace in group_no order, pageRows at a time; returns the row count. */
export async function forEachFaultGroupPage(
  db: Db,
  traceId: number,
  fn: (rows: FaultGroupRow[]) => void | Promise<void>,
  pageRows = DEFAULT_PAGE_ROWS,
): Promise<number> {
  const step = checkPageRows(pageRows);
  const [r] = await db.all<{ lo: bigint | null; hi: bigint | null }>('SELECT min(group_no) AS lo, max(group_no) AS hi FROM fault_groups WHERE trace_id = $1', [
    traceId,
  ]);
  if (!r || r.lo === null || r.hi === null) return 0;
  let total = 0;
  for (let lo = r.lo; lo <= r.hi; lo += step) {
    const rows = await db.all<FaultGroupRow & Record<string, unknown>>(
      `${GROUP_SELECT} WHERE trace_id = $1 AND group_no >= $2 AND group_no < $3 ORDER BY group_no`,
      [traceId, lo, lo + step],
    );
    total += rows.length;
    if (rows.length) await fn(rows);
  }
  return total;
}

/** When a group starts: its first request, or for an orphan response the response. */
export const GROUP_START_SQL = 'coalesce(first_ts_ns, last_ts_ns, response_ts_ns)';

/**
 * Every fault group in start-time order (ties by group_no), in windows of about pageRows: the
 * window edges are start-time quantiles, so each page is one range scan. `select` is the
 * caller's fixed column list over fault_groups (the Chrome export builds its JSON args there,
 * which is far cheaper than converting a dozen typed columns per row in JS).
 */
export async function forEachFaultGroupByStart<T extends Record<string, unknown>>(
  db: Db,
  traceId: number,
  select: string,
  fn: (rows: T[]) => void | Promise<void>,
  pageRows = DEFAULT_PAGE_ROWS,
): Promise<number> {
  checkPageRows(pageRows);
  const [c] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM fault_groups WHERE trace_id = $1', [traceId]);
  const n = Number(c?.n ?? 0);
  if (n === 0) return 0;
  const pages = Math.ceil(n / pageRows);
  let edges: bigint[] = [];
  if (pages > 1) {
    // Fractions are numbers this module computes, never caller text.
    const fractions = Array.from({ length: pages - 1 }, (_, i) => (i + 1) / pages);
    const [q] = await db.all<{ q: bigint[] | null }>(
      `SELECT quantile_disc(${GROUP_START_SQL}, [${fractions.join(', ')}]) AS q FROM fault_groups WHERE trace_id = $1`,
      [traceId],
    );
    edges = [...new Set(q?.q ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  let total = 0;
  for (let i = 0; i <= edges.length; i++) {
    const lo = i === 0 ? null : edges[i - 1]!;
    const hi = i === edges.length ? null : edges[i]!;
    // The first window also takes a group with no time at all, so none is ever dropped.
    const rows = await db.all<T>(
      `SELECT ${select} FROM fault_groups WHERE trace_id = $1
         AND (CAST($2 AS BIGINT) IS NULL OR ${GROUP_START_SQL} >= CAST($2 AS BIGINT))
         AND (CAST($3 AS BIGINT) IS NULL OR ${GROUP_START_SQL} < CAST($3 AS BIGINT) OR (CAST($2 AS BIGINT) IS NULL AND ${GROUP_START_SQL} IS NULL))
       ORDER BY ${GROUP_START_SQL} NULLS FIRST, group_no`,
      [traceId, lo, hi],
    );
    total += rows.length;
    if (rows.length) await fn(rows);
  }
  return total;
}

/**
 * Every replayed group of a run in group_index order, which is arrival (last-page request)
 * order; `select` is the caller's fixed column list over replay_results.
 */
export async function forEachReplayResultPage<T extends Record<string, unknown>>(
  db: Db,
  runId: number,
  select: string,
  fn: (rows: T[]) => void | Promise<void>,
  pageRows = DEFAULT_PAGE_ROWS,
): Promise<number> {
  const step = checkPageRows(pageRows);
  const [r] = await db.all<{ lo: number | null; hi: number | null }>(
    'SELECT min(group_index) AS lo, max(group_index) AS hi FROM replay_results WHERE run_id = $1',
    [runId],
  );
  if (!r || r.lo === null || r.hi === null) return 0;
  let total = 0;
  for (let lo = BigInt(r.lo); lo <= BigInt(r.hi); lo += step) {
    const rows = await db.all<T>(`SELECT ${select} FROM replay_results WHERE run_id = $1 AND group_index >= $2 AND group_index < $3 ORDER BY group_index`, [
      runId,
      lo,
      lo + step,
    ]);
    total += rows.length;
    if (rows.length) await fn(rows);
  }
  return total;
}
