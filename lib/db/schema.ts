// The database schema: every table the project stores, with a comment on each column (its
// meaning and unit) that is also written into DuckDB's catalog (COMMENT ON), so the SQL
// console and `duckdb_columns()` show it. Applied idempotently when a database opens.
// No ART indexes: rows of one trace are appended together, so DuckDB's zone maps already
// prune by trace_id, and indexes would slow bulk ingest.
// Times are integer nanoseconds (BIGINT) from the trace's own clock; addresses are UBIGINT bytes.

import { fillMissingGroupSummaries } from './group-summary.ts';
import type { Db } from './instance.ts';

interface Column {
  name: string;
  type: string;
  comment: string;
  /** Added after databases already existed: also applied to them with ADD COLUMN IF NOT EXISTS. */
  added?: boolean;
}

interface Table {
  name: string;
  comment: string;
  columns: Column[];
  /** Extra constraints appended inside CREATE TABLE. */
  constraints?: string[];
}

const c = (name: string, type: string, comment: string): Column => ({ name, type, comment });
const added = (name: string, type: string, comment: string): Column => ({ name, type, comment, added: true });

export const TABLES: Table[] = [
  {
    name: 'traces',
    comment: 'One row per ingested trace file.',
    columns: [
      c('trace_id', 'INTEGER PRIMARY KEY', 'Identifier, assigned at ingest.'),
      c('name', 'VARCHAR NOT NULL UNIQUE', 'Display name (file name unless --name); unique.'),
      c('source_file', 'VARCHAR', 'Base name of the file that was ingested.'),
      c('format', 'VARCHAR NOT NULL', 'Detected format: ftrace, trace-cmd, sim-csv, sim-jsonl.'),
      c('file_hash', 'VARCHAR', 'SHA-256 of the file as uploaded (compressed bytes if .gz).'),
      c('file_bytes', 'BIGINT', 'Size of the file as uploaded, bytes.'),
      c('ingested_at', 'TIMESTAMP NOT NULL', 'When the ingest committed (UTC).'),
      c('lines', 'BIGINT', 'Physical lines (text formats) or records (JSONL) read.'),
      c('events', 'BIGINT', 'Rows stored in events for this trace.'),
      c('page_requests', 'BIGINT', 'Events of kind page_request.'),
      c('page_responses', 'BIGINT', 'Events of kind page_response.'),
      c('unrecoverable_faults', 'BIGINT', 'Events of kind unrecoverable_fault (io_page_fault, dev_fault type 1).'),
      c('context_events', 'BIGINT', 'Events of kind context (other qi_submit types, map, unmap).'),
      c('other_events', 'BIGINT', 'Events of kind other: event names no format knows (counted, never fatal).'),
      c('lost_markers', 'BIGINT', 'Lost-event marker lines (CPU:N [LOST M EVENTS]).'),
      c('lost_events', 'BIGINT', 'Sum of M over lost-event markers: events the tracer dropped.'),
      c('bad_lines', 'BIGINT', 'Lines that could not be decoded (warnings); over the threshold the file is rejected.'),
      c('first_ts_ns', 'BIGINT', 'Earliest event timestamp, ns.'),
      c('last_ts_ns', 'BIGINT', 'Latest event timestamp, ns.'),
      c('meta', 'JSON', 'Format metadata: tracer clock, cpus=, kernel-era hints, first warnings with their locations.'),
      added('groups', 'BIGINT', 'Completed fault groups (answered + unanswered), stored at ingest so listings need not scan fault_groups.'),
      added('answered_groups', 'BIGINT', 'Fault groups with a response, stored at ingest.'),
      added('latency_p99_ns', 'BIGINT', 'Nearest-rank p99 of latency_ns over answered groups, ns, stored at ingest; NULL with no answered group.'),
    ],
  },
  {
    name: 'events',
    comment: 'Every decoded trace event, normalised across formats.',
    columns: [
      c('trace_id', 'INTEGER NOT NULL', 'Owning trace (traces.trace_id).'),
      c('line', 'BIGINT NOT NULL', '1-based line (text) or record number in the file; also the tie-breaker for equal timestamps.'),
      c('ts_ns', 'BIGINT', 'Event time, ns on the tracer clock; NULL only for lost-event markers.'),
      c('cpu', 'SMALLINT', 'CPU that recorded the event.'),
      c('task', 'VARCHAR', 'Task comm (may contain spaces, dashes and slashes).'),
      c('pid', 'INTEGER', 'Task pid.'),
      c('kind', 'VARCHAR NOT NULL', 'page_request, page_response, unrecoverable_fault, context, lost or other.'),
      c('event', 'VARCHAR', 'Source event name (prq_report, qi_submit, dev_fault, ...).'),
      c('iommu', 'VARCHAR', "IOMMU instance (dmar0, ...); NULL when the format has none (the group key then uses '')."),
      c(
        'device',
        'VARCHAR',
        "PCI device name (0000:00:0a.0). Intel responses carry only a RID: stored with the device of the file's first request on that IOMMU with that RID, else the RID spelled as a PCI name on segment 0.",
      ),
      c('rid', 'INTEGER', 'PCI requester ID (bus<<8 | devfn).'),
      c('pasid', 'INTEGER', 'Process address space ID (20 bits).'),
      c('prgi', 'INTEGER', 'Page request group index (9 bits).'),
      c('last', 'BOOLEAN', 'Last page in group (L / LPIG).'),
      c('addr', 'UBIGINT', 'Faulting address in bytes (prq_report page number × 4096).'),
      c('perm', 'VARCHAR', "Requested access: letters of 'rwxp' present, in that order ('' = none: a stop marker when last)."),
      c('code', 'SMALLINT', 'Response code, normalised: 0 success, 1 invalid, 2 failure (VT-d 0xf = 2).'),
      c('seq', 'BIGINT', 'Kernel sequence number of the event where the format has one (prq_report seq#).'),
      c('detail', 'VARCHAR', 'Context: descriptor type or message text; lost: count of events lost; otherwise NULL.'),
    ],
  },
  {
    name: 'fault_groups',
    comment: 'Page request groups paired with their responses (DESIGN 4a), derived at ingest.',
    columns: [
      c('trace_id', 'INTEGER NOT NULL', 'Owning trace.'),
      c(
        'group_no',
        'BIGINT NOT NULL',
        'Ordinal of the group in the trace, by completion time (first request for incomplete groups, response for orphans), ties by line.',
      ),
      c('iommu', 'VARCHAR', 'Group key: IOMMU.'),
      c('device', 'VARCHAR', 'Group key: device.'),
      c('pasid', 'INTEGER', 'Group key: PASID.'),
      c('prgi', 'INTEGER', 'Group key: PRG index.'),
      c('status', 'VARCHAR NOT NULL', 'answered, unanswered (completed, no response by trace end), incomplete (no last page), orphan_response, stop_marker.'),
      c('pages', 'INTEGER', 'Requests in the group.'),
      c('first_ts_ns', 'BIGINT', 'Time of the first request, ns.'),
      c('last_ts_ns', 'BIGINT', 'Time of the last-page request, ns (NULL if incomplete).'),
      c('response_ts_ns', 'BIGINT', 'Time of the response, ns (NULL unless answered or orphan).'),
      c('code', 'SMALLINT', 'Response code (0 success, 1 invalid, 2 failure).'),
      c('latency_ns', 'BIGINT', 'response − last-page request, ns (answered groups).'),
      c('span_ns', 'BIGINT', 'response − first request, ns: what the device waited (answered groups).'),
      c('first_line', 'BIGINT', 'Line of the first request.'),
      c('last_line', 'BIGINT', 'Line of the last-page request.'),
      c('response_line', 'BIGINT', 'Line of the response.'),
    ],
  },
  {
    name: 'replay_runs',
    comment: 'One row per replay of a trace through a handling model (DESIGN 5).',
    columns: [
      c('run_id', 'INTEGER PRIMARY KEY', 'Identifier, assigned when the run is saved.'),
      c('trace_id', 'INTEGER NOT NULL', 'Replayed trace.'),
      c('model', 'VARCHAR NOT NULL', 'per-device or domain-wide.'),
      c('preset', 'VARCHAR', 'Kernel-era preset the parameters started from (v5.14 … v6.11).'),
      c('seed', 'BIGINT NOT NULL', 'Seed of the replay RNG: same trace, model, params and seed give the same run.'),
      c('params', 'JSON NOT NULL', 'Every parameter of the run, after overrides.'),
      c('overrides', 'JSON', 'The name=value overrides given, in order.'),
      c('summary', 'JSON NOT NULL', 'Replay summary: latency_ns, device_latency_ns, lookup, drops, calibration, ...'),
      c('queue_depth', 'JSON', 'PRQ occupancy and outstanding groups over time (max per bucket).'),
      c('groups', 'BIGINT', 'Completed groups replayed.'),
      c('seconds', 'DOUBLE', 'Wall time of the replay, s.'),
      c('created_at', 'TIMESTAMP NOT NULL', 'When the run was saved (UTC).'),
    ],
  },
  {
    name: 'replay_results',
    comment: 'Per-group results of a replay run.',
    columns: [
      c('run_id', 'INTEGER NOT NULL', 'Owning run (replay_runs.run_id).'),
      c('group_index', 'INTEGER NOT NULL', 'Group ordinal in replay order (by last-page request).'),
      c('iommu', 'VARCHAR', 'IOMMU of the group.'),
      c('device', 'VARCHAR', 'Device of the group.'),
      c('pasid', 'INTEGER', 'PASID as replayed.'),
      c('prgi', 'INTEGER', 'PRG index.'),
      c('arrival_ts_ns', 'BIGINT', 'Recorded time of the last-page request, ns on the trace clock.'),
      c('latency_ns', 'BIGINT', 'Replayed response − report of the last-page request, ns (NULL if the group was lost).'),
      c('device_latency_ns', 'BIGINT', 'Replayed response completion − the device generating the last-page request, ns: what the device waits.'),
      c('lookup_visits', 'INTEGER', 'Nodes/entries visited by every lookup of the group.'),
      c('lookup_ns', 'DOUBLE', 'Cost of those visits, ns.'),
      c('worker', 'INTEGER', 'Worker that handled the group; -1 if lost.'),
      added('reported_ts_ns', 'BIGINT', 'Replayed report of the last-page request by the drain thread, ns on the trace clock (NULL if lost).'),
      added('response_ts_ns', 'BIGINT', 'Replayed response submission (qi_submit), ns on the trace clock (NULL if lost).'),
      added('done_ts_ns', 'BIGINT', 'Replayed response completion, when it reaches the device, ns on the trace clock (NULL if lost).'),
      added(
        'longest_stage',
        'VARCHAR',
        'Stage the group spent longest in (credit_wait, overflow_retry, prq_drain, workqueue, service, response, qi); NULL if lost.',
      ),
    ],
  },
  {
    name: 'sweeps',
    comment: 'Cached PASID sweeps (domain lookup cost vs number of PASIDs) per trace and options.',
    columns: [
      c('trace_id', 'INTEGER NOT NULL', 'Swept trace.'),
      c('options', 'VARCHAR NOT NULL', 'The sweep options as canonical JSON (the cache key).'),
      c('result', 'JSON NOT NULL', 'Sweep result: groups, params, note and points.'),
      c('seconds', 'DOUBLE', 'Wall time of the sweep, s.'),
      c('created_at', 'TIMESTAMP NOT NULL', 'When it was computed (UTC).'),
    ],
  },
  {
    name: 'sensitivity_runs',
    comment: 'Saved sensitivity runs (each numeric replay parameter halved and doubled) per trace, model and era.',
    columns: [
      c('trace_id', 'INTEGER NOT NULL', 'Trace replayed.'),
      c('options', 'VARCHAR NOT NULL', 'Model, era, overrides, seed and seed count as canonical JSON (the cache key).'),
      c('result', 'JSON NOT NULL', 'Base p50/p99 with intervals, noise, and one row per parameter (half, double, swing, flags).'),
      c('seconds', 'DOUBLE', 'Wall time, s.'),
      c('created_at', 'TIMESTAMP NOT NULL', 'When it was computed (UTC).'),
    ],
  },
  {
    name: 'annotations',
    comment: 'Postmortem notes on a trace: a time range and/or a device/PASID, with author and text.',
    columns: [
      c('annotation_id', 'INTEGER PRIMARY KEY', 'Identifier, assigned when the note is created (max + 1 within the insert transaction).'),
      c('trace_id', 'INTEGER NOT NULL', 'Annotated trace (traces.trace_id).'),
      c('start_ns', 'BIGINT', 'Start of the marked time range, ns on the trace clock (like events.ts_ns); NULL when no range is marked.'),
      c('end_ns', 'BIGINT', 'End of the marked time range, ns on the trace clock, ≥ start_ns; NULL exactly when start_ns is.'),
      c('device', 'VARCHAR', 'Marked PCI device (0000:00:0a.0); NULL when the note is not about one device.'),
      c('pasid', 'INTEGER', 'Marked PASID (20 bits); NULL when the note is not about one PASID.'),
      c('author', 'VARCHAR NOT NULL', 'Who wrote the note, as typed (1–100 characters).'),
      c('text', 'VARCHAR NOT NULL', 'The note exactly as written (1–10 000 characters); escaped wherever it is shown.'),
      c('created_at', 'TIMESTAMP NOT NULL', 'When the note was created (UTC).'),
      c('updated_at', 'TIMESTAMP NOT NULL', 'When the note was last edited (UTC); equals created_at until then.'),
    ],
    constraints: ['CHECK ((start_ns IS NULL) = (end_ns IS NULL) AND (start_ns IS NULL OR start_ns <= end_ns))'],
  },
  {
    name: 'saved_views',
    comment: 'Named views: a dashboard URL (path + query, so filters, time range and selections) saved under a name.',
    columns: [
      c('view_id', 'INTEGER PRIMARY KEY', 'Identifier, assigned when the view is saved (max + 1 within the insert transaction).'),
      c('trace_id', 'INTEGER', 'Trace the view shows (traces.trace_id), taken from its path /traces/<id>/…; NULL for a /compare view.'),
      c('name', 'VARCHAR NOT NULL', 'Name as typed (1–100 characters), unique per trace (and among compare views); shown as text only.'),
      c('url', 'VARCHAR NOT NULL', 'The view as a same-origin relative URL: a path under /traces/<id> or /compare and its query string (≤ 2000 characters).'),
      c('created_at', 'TIMESTAMP NOT NULL', 'When the view was saved (UTC).'),
    ],
  },
];

const SEQUENCES = ['CREATE SEQUENCE IF NOT EXISTS trace_id_seq START 1', 'CREATE SEQUENCE IF NOT EXISTS run_id_seq START 1'];

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function schemaStatements(tables: readonly Table[] = TABLES): string[] {
  const out: string[] = [...SEQUENCES];
  for (const t of tables) {
    const cols = t.columns.map((col) => `  ${col.name} ${col.type}`);
    out.push(`CREATE TABLE IF NOT EXISTS ${t.name} (\n${[...cols, ...(t.constraints ?? [])].join(',\n')}\n)`);
    for (const col of t.columns.filter((x) => x.added)) out.push(`ALTER TABLE ${t.name} ADD COLUMN IF NOT EXISTS ${col.name} ${col.type}`);
    out.push(`COMMENT ON TABLE ${t.name} IS ${quote(t.comment)}`);
    for (const col of t.columns) out.push(`COMMENT ON COLUMN ${t.name}.${col.name} IS ${quote(col.comment)}`);
  }
  return out;
}

/** Creates or upgrades every table; traces stored before the group summary existed get it. */
export async function applySchema(db: Pick<Db, 'all' | 'run'>): Promise<void> {
  for (const sql of schemaStatements()) await db.run(sql);
  await fillMissingGroupSummaries(db);
}
