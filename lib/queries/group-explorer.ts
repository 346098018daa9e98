// The fault-group explorer's questions: one page of a trace's fault groups under the latency
// page's filters plus a latency range and a status, sorted by a whitelisted column; and one
// group with the stored events of its lines and their neighbours. The sort column and
// direction come from fixed tables below, every value travels as a bound parameter.
// Times leave as ns since the trace's first event (what the charts plot), so numbers are exact.

import { NotFoundError } from '../core/errors.ts';
import type { Db, SqlParam } from '../db/instance.ts';
import type { GroupStatus, TraceEvent } from '../trace/schema.ts';
import { count, num } from './charts/convert.ts';
import { latencyFilterSql, type LatencyFilter } from './charts/latency-filter.ts';

export interface GroupFilter extends LatencyFilter {
  /** Inclusive lower bound on latency_ns (only answered groups have one). */
  latency_min_ns?: bigint | null;
  /** Inclusive upper bound on latency_ns. */
  latency_max_ns?: bigint | null;
  status?: GroupStatus | null;
}

/** Sort keys a URL may name, and the column each orders by. */
export const GROUP_SORTS = {
  group: 'group_no',
  device: 'device',
  pasid: 'pasid',
  prgi: 'prgi',
  pages: 'pages',
  first: 'first_ts_ns',
  last: 'last_ts_ns',
  response: 'response_ts_ns',
  status: 'status',
  code: 'code',
  latency: 'latency_ns',
  span: 'span_ns',
  line: 'first_line',
} as const;
export type GroupSort = keyof typeof GROUP_SORTS;
export type SortDir = 'asc' | 'desc';

export interface GroupRow {
  group_no: number;
  iommu: string | null;
  device: string | null;
  pasid: number | null;
  prgi: number | null;
  status: GroupStatus;
  pages: number;
  first_ns: number | null;
  last_ns: number | null;
  response_ns: number | null;
  code: number | null;
  latency_ns: number | null;
  span_ns: number | null;
  first_line: number | null;
  last_line: number | null;
  response_line: number | null;
}

export interface GroupPage {
  rows: GroupRow[];
  /** Groups matching the filter, over all pages. */
  total: number;
  page: number;
  page_size: number;
}

export const MAX_PAGE_SIZE = 500;

/** The filter's conditions on fault_groups (alias g), placeholders numbered from firstParam. */
function groupFilterSql(filter: GroupFilter, firstParam: number): { sql: string; params: SqlParam[] } {
  const base = latencyFilterSql(filter, firstParam, 'g.');
  const parts = [base.sql];
  const params = [...base.params];
  const param = (v: SqlParam) => {
    params.push(v);
    return `$${firstParam + params.length - 1}`;
  };
  if (filter.latency_min_ns != null) parts.push(`AND g.latency_ns >= CAST(${param(filter.latency_min_ns)} AS BIGINT)`);
  if (filter.latency_max_ns != null) parts.push(`AND g.latency_ns <= CAST(${param(filter.latency_max_ns)} AS BIGINT)`);
  if (filter.status != null) parts.push(`AND g.status = ${param(filter.status)}`);
  return { sql: parts.filter(Boolean).join(' '), params };
}

const ROW_COLUMNS = `g.group_no, g.iommu, g.device, g.pasid, g.prgi, g.status, g.pages,
  g.first_ts_ns - t.first_ts_ns AS first_ns, g.last_ts_ns - t.first_ts_ns AS last_ns,
  g.response_ts_ns - t.first_ts_ns AS response_ns, g.code, g.latency_ns, g.span_ns,
  g.first_line, g.last_line, g.response_line`;

function toRow(r: Record<string, unknown>): GroupRow {
  const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
  return {
    group_no: count(r.group_no),
    iommu: text(r.iommu),
    device: text(r.device),
    pasid: num(r.pasid),
    prgi: num(r.prgi),
    status: String(r.status) as GroupStatus,
    pages: count(r.pages),
    first_ns: num(r.first_ns),
    last_ns: num(r.last_ns),
    response_ns: num(r.response_ns),
    code: num(r.code),
    latency_ns: num(r.latency_ns),
    span_ns: num(r.span_ns),
    first_line: num(r.first_line),
    last_line: num(r.last_line),
    response_line: num(r.response_line),
  };
}

export async function listGroups(
  db: Db,
  traceId: number,
  filter: GroupFilter,
  opts: { sort?: GroupSort; dir?: SortDir; page?: number; pageSize?: number } = {},
): Promise<GroupPage> {
  const sort = opts.sort ?? 'group';
  const column = GROUP_SORTS[sort];
  if (!column) throw new RangeError(`unknown sort ${JSON.stringify(sort)}`);
  const dir = opts.dir === 'desc' ? 'DESC' : 'ASC';
  const pageSize = opts.pageSize ?? 50;
  const page = opts.page ?? 1;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new RangeError(`pageSize must be an integer in [1, ${MAX_PAGE_SIZE}], got ${pageSize}`);
  if (!Number.isInteger(page) || page < 1) throw new RangeError(`page must be a positive integer, got ${page}`);
  const [t] = await db.all('SELECT 1 FROM traces WHERE trace_id = $1', [traceId]);
  if (!t) throw new NotFoundError(`no trace with id ${traceId}`);
  const f = groupFilterSql(filter, 2);
  const [n] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM fault_groups g WHERE g.trace_id = $1 ${f.sql}`, [traceId, ...f.params]);
  const limit = `$${f.params.length + 2}`;
  const offset = `$${f.params.length + 3}`;
  // group_no (ascending, whatever the direction: the earlier group first) breaks ties, so a
  // page boundary never splits or repeats equal keys.
  const rows = await db.all(
    `SELECT ${ROW_COLUMNS}
     FROM fault_groups g JOIN traces t ON t.trace_id = g.trace_id
     WHERE g.trace_id = $1 ${f.sql}
     ORDER BY g.${column} ${dir} NULLS LAST, g.group_no
     LIMIT ${limit} OFFSET ${offset}`,
    [traceId, ...f.params, pageSize, (page - 1) * pageSize],
  );
  return { rows: rows.map(toRow), total: count(n?.n), page, page_size: pageSize };
}

export async function getGroup(db: Db, traceId: number, groupNo: number): Promise<GroupRow> {
  const [r] = await db.all(`SELECT ${ROW_COLUMNS} FROM fault_groups g JOIN traces t ON t.trace_id = g.trace_id WHERE g.trace_id = $1 AND g.group_no = $2`, [
    traceId,
    groupNo,
  ]);
  if (!r) throw new NotFoundError(`no fault group ${groupNo} in trace ${traceId}`);
  return toRow(r);
}

/** What a stored event line is to the group being shown. */
export type LineRole = 'request' | 'last_request' | 'response' | 'context';

/**
 * A stored event as the group page shows it: the normalised event, with its 64-bit values as
 * exact decimal strings (ts_ns, addr) and its role for the group.
 */
export interface TraceLine extends Omit<TraceEvent, 'tsNs' | 'addr' | 'seq' | 'kind'> {
  /** The event's own timestamp on the tracer clock, exact, as a decimal string of ns. */
  ts_ns: string | null;
  /** Faulting address in bytes, as a decimal string. */
  addr: string | null;
  seq: number | null;
  kind: string;
  role: LineRole;
}

export interface GroupLines {
  /** Lines the file had (physical lines, or records for JSONL). */
  file_lines: number;
  /** Line ranges shown, each [from, to] inclusive, ascending and disjoint. */
  windows: [number, number][];
  /** Stored events in those windows plus every request of the group, by line. */
  lines: TraceLine[];
}

/**
 * The stored events around a group: `context` lines either side of its first request, its
 * last-page request and its response, merged where they overlap, plus every page request of
 * the group (found as pairing found them: same key, between the first and the last-page
 * request in (time, line) order). The raw text of a line is not stored, only its decoded
 * fields; line numbers with no event (headers, comments, skipped lines) are absent.
 */
export async function groupLines(db: Db, traceId: number, group: GroupRow, context = 4, maxPages = 1000): Promise<GroupLines> {
  const [t] = await db.all<{ lines: bigint | null }>('SELECT lines FROM traces WHERE trace_id = $1', [traceId]);
  if (!t) throw new NotFoundError(`no trace with id ${traceId}`);
  const fileLines = count(t.lines);
  const anchors = [group.first_line, group.last_line, group.response_line].filter((l): l is number => l !== null).sort((a, b) => a - b);
  const windows: [number, number][] = [];
  for (const a of anchors) {
    const lo = Math.max(1, a - context);
    const hi = Math.min(Math.max(fileLines, a), a + context);
    const prev = windows[windows.length - 1];
    if (prev && lo <= prev[1] + 1) prev[1] = Math.max(prev[1], hi);
    else windows.push([lo, hi]);
  }
  const COLUMNS = `line, CAST(ts_ns AS VARCHAR) AS ts_ns, cpu, task, pid, kind, event, iommu, device, rid,
    pasid, prgi, last, CAST(addr AS VARCHAR) AS addr, perm, code, seq, detail`;
  // One plain range scan per window, and the bounds below as constants, so DuckDB's zone maps
  // on line and ts_ns skip the rest of a large trace (an OR of ranges, or bounds joined from
  // fault_groups, scanned every event of the trace: ~0.6 s on 3 M events).
  const byLine = new Map<number, Record<string, unknown>>();
  for (const [lo, hi] of windows) {
    for (const r of await db.all(`SELECT ${COLUMNS} FROM events WHERE trace_id = $1 AND line BETWEEN $2 AND $3`, [traceId, lo, hi]))
      byLine.set(count(r.line), r);
  }
  // The group's own requests, as pairing found them: same key, from the first to the
  // last-page request in (time, line) order (to the end of the trace for an incomplete group);
  // stop markers are groups of their own.
  const pageLines = new Set<number>();
  const [k] = await db.all<{ iommu: string | null; device: string | null; pasid: number | null; prgi: number | null; f: bigint | null; l: bigint | null }>(
    `SELECT iommu, device, pasid, prgi, first_ts_ns AS f, last_ts_ns AS l FROM fault_groups
     WHERE trace_id = $1 AND group_no = $2 AND status IN ('answered', 'unanswered', 'incomplete')`,
    [traceId, group.group_no],
  );
  if (k && k.f !== null && group.first_line !== null) {
    const upper = k.l === null ? '' : 'AND ts_ns <= $9 AND (ts_ns < $9 OR line <= $10)';
    const pages = await db.all(
      `SELECT ${COLUMNS} FROM events
       WHERE trace_id = $1 AND kind = 'page_request' AND ts_ns >= $2 AND (ts_ns > $2 OR line >= $3)
         AND coalesce(iommu, '') = $4 AND coalesce(device, '') = $5 AND pasid IS NOT DISTINCT FROM $6 AND prgi IS NOT DISTINCT FROM $7
         AND NOT (coalesce(last, false) AND perm = '') ${upper}
       ORDER BY line LIMIT $8`,
      [traceId, k.f, group.first_line, k.iommu ?? '', k.device ?? '', k.pasid, k.prgi, maxPages, ...(k.l === null ? [] : [k.l, group.last_line])],
    );
    for (const r of pages) {
      pageLines.add(count(r.line));
      byLine.set(count(r.line), r);
    }
  }
  const rows = [...byLine.values()]
    .sort((a, b) => count(a.line) - count(b.line))
    .map((r): Record<string, unknown> => ({ ...r, is_page: pageLines.has(count(r.line)) }));
  const lines = rows.map((r): TraceLine => {
    const line = count(r.line);
    const role: LineRole =
      line === group.response_line
        ? 'response'
        : line === group.last_line && group.status !== 'orphan_response'
          ? 'last_request'
          : r.is_page || line === group.first_line
            ? 'request'
            : 'context';
    const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
    return {
      line,
      ts_ns: text(r.ts_ns),
      cpu: num(r.cpu),
      task: text(r.task),
      pid: num(r.pid),
      kind: String(r.kind),
      event: text(r.event),
      iommu: text(r.iommu),
      device: text(r.device),
      rid: num(r.rid),
      pasid: num(r.pasid),
      prgi: num(r.prgi),
      last: r.last === null || r.last === undefined ? null : Boolean(r.last),
      addr: text(r.addr),
      perm: text(r.perm),
      code: num(r.code),
      seq: num(r.seq),
      detail: text(r.detail),
      role,
    };
  });
  // A page request far from the anchors is shown as its own one-line window.
  for (const l of lines) if (l.role === 'request' && !windows.some(([lo, hi]) => l.line >= lo && l.line <= hi)) windows.push([l.line, l.line]);
  windows.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const w of windows) {
    const prev = merged[merged.length - 1];
    if (prev && w[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], w[1]);
    else merged.push([w[0], w[1]]);
  }
  return { file_lines: fileLines, windows: merged, lines };
}
