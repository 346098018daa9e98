// Trace listing and lookup: what the home page and `pritrace list` show, and how a TRACE
// argument (id or name) resolves to one trace.

import { NotFoundError } from '../core/errors.ts';
import { parseId } from '../core/ids.ts';
import type { Db } from '../db/instance.ts';

export interface TraceSummary {
  trace_id: number;
  name: string;
  format: string;
  source_file: string | null;
  ingested_at: string;
  file_bytes: number;
  events: number;
  page_requests: number;
  page_responses: number;
  bad_lines: number;
  lost_events: number;
  span_ns: number | null;
  groups: number;
  answered: number;
  p99_ns: number | null;
}

export async function listTraces(db: Db): Promise<TraceSummary[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT t.trace_id, t.name, t.format, t.source_file, strftime(t.ingested_at, '%Y-%m-%d %H:%M:%S') AS ingested_at,
       t.file_bytes, t.events, t.page_requests, t.page_responses, t.bad_lines, t.lost_events,
       t.last_ts_ns - t.first_ts_ns AS span_ns,
       coalesce(t.groups, 0) AS groups, coalesce(t.answered_groups, 0) AS answered, t.latency_p99_ns AS p99_ns
     FROM traces t
     ORDER BY t.trace_id`,
  );
  return rows.map((r) => ({
    trace_id: Number(r.trace_id),
    name: String(r.name),
    format: String(r.format),
    source_file: r.source_file === null ? null : String(r.source_file),
    ingested_at: String(r.ingested_at),
    file_bytes: Number(r.file_bytes ?? 0),
    events: Number(r.events ?? 0),
    page_requests: Number(r.page_requests ?? 0),
    page_responses: Number(r.page_responses ?? 0),
    bad_lines: Number(r.bad_lines ?? 0),
    lost_events: Number(r.lost_events ?? 0),
    span_ns: r.span_ns === null || r.span_ns === undefined ? null : Number(r.span_ns),
    groups: Number(r.groups),
    answered: Number(r.answered),
    p99_ns: r.p99_ns === null || r.p99_ns === undefined ? null : Number(r.p99_ns),
  }));
}

export interface TraceRef {
  trace_id: number;
  name: string;
}

/** Resolves a trace id (digits) or exact name. */
export async function resolveTrace(db: Db, ref: string | number): Promise<TraceRef> {
  const text = String(ref).trim();
  // A longer run of digits than an id can hold can only be a name (not an out-of-range error).
  const id = parseId(text);
  const rows =
    id !== null
      ? await db.all<{ trace_id: number; name: string }>('SELECT trace_id, name FROM traces WHERE trace_id = $1 OR name = $2 ORDER BY trace_id <> $1', [
          id,
          text,
        ])
      : await db.all<{ trace_id: number; name: string }>('SELECT trace_id, name FROM traces WHERE name = $1', [text]);
  const row = rows[0];
  if (!row) throw new NotFoundError(`no trace with id or name ${JSON.stringify(text)}`);
  return { trace_id: Number(row.trace_id), name: String(row.name) };
}
