// The few facts every trace page shows in its header, from the traces row alone (no scan of
// events or groups), and the trace's time origin that every chart time is relative to.

import { NotFoundError } from '../../core/errors.ts';
import type { Db } from '../../db/instance.ts';
import { count, num } from './convert.ts';

export interface TraceHeader {
  trace_id: number;
  name: string;
  format: string;
  source_file: string | null;
  ingested_at: string;
  file_bytes: number;
  events: number;
  page_requests: number;
  page_responses: number;
  /** last − first event timestamp, ns. */
  span_ns: number | null;
}

export interface TraceOrigin {
  first_ts_ns: bigint | null;
  last_ts_ns: bigint | null;
}

export async function traceHeader(db: Db, traceId: number): Promise<TraceHeader> {
  const [r] = await db.all<Record<string, unknown>>(
    `SELECT trace_id, name, format, source_file, strftime(ingested_at, '%Y-%m-%d %H:%M:%S') AS ingested_at,
       file_bytes, events, page_requests, page_responses, last_ts_ns - first_ts_ns AS span_ns
     FROM traces WHERE trace_id = $1`,
    [traceId],
  );
  if (!r) throw new NotFoundError(`no trace with id ${traceId}`);
  return {
    trace_id: count(r.trace_id),
    name: String(r.name),
    format: String(r.format),
    source_file: r.source_file === null ? null : String(r.source_file),
    ingested_at: String(r.ingested_at),
    file_bytes: count(r.file_bytes),
    events: count(r.events),
    page_requests: count(r.page_requests),
    page_responses: count(r.page_responses),
    span_ns: num(r.span_ns),
  };
}

export async function traceOrigin(db: Db, traceId: number): Promise<TraceOrigin> {
  const [r] = await db.all<{ first_ts_ns: bigint | null; last_ts_ns: bigint | null }>('SELECT first_ts_ns, last_ts_ns FROM traces WHERE trace_id = $1', [
    traceId,
  ]);
  if (!r) throw new NotFoundError(`no trace with id ${traceId}`);
  return { first_ts_ns: r.first_ts_ns, last_ts_ns: r.last_ts_ns };
}
