// Chrome JSON trace events of a trace or a replay run for Perfetto (`pritrace export`, report
// page): a process per device, a thread per PASID, one "X" slice per fault group, "M" names,
// "C" counters for outstanding groups (and a run's PRQ depth). Surprising: slices on a thread
// must nest but one PASID's groups overlap (512 PRG indexes in flight), so a PASID gets extra
// lanes ("PASID 5 · 2"), and Perfetto names threads by tid alone (see Lanes).

import { NotFoundError } from '../core/errors.ts';
import type { Db } from '../db/instance.ts';
import { getReplayRun } from '../queries/replay-runs.ts';
import { niceWidthNs } from '../queries/charts/convert.ts';
import type { QueueDepthSeries } from '../replay/types.ts';
import { DEFAULT_PAGE_ROWS, forEachFaultGroupByStart, forEachReplayResultPage, GROUP_START_SQL, type Emit } from './paged-rows.ts';

export interface ChromeExportSummary {
  /** "X" events: exactly one per fault group (trace) or replayed group (run). */
  slices: number;
  counter_events: number;
  /** Device processes (the summary process not counted). */
  devices: number;
  /** PASID tracks including overlap lanes. */
  threads: number;
  /** Trace-clock ns of ts = 0 (the trace's first event), as a decimal string. */
  origin_ns: string;
}

/** Counter buckets per track at most: enough for a zoomable curve, small next to the slices. */
const COUNTER_BUCKETS = 5000;
/** PASIDs are 20 bits; a group without one gets the slot just above them. */
const NO_PASID_SLOT = 0x100000;
/** First tid handed out when the PASID's own number is taken (see Lanes). */
const SPARE_TIDS = 0x200000;
const SUMMARY_PID = 1;
const FLUSH_CHARS = 1 << 18;

/** ns → µs as exact decimal text (the format's unit), without a trip through a double. */
export function microseconds(ns: bigint): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const frac = (a % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / 1000n}${frac ? `.${frac}` : ''}`;
}

class EventWriter {
  private parts: string[] = [];
  private size = 0;
  private first = true;
  counters = 0;
  slices = 0;

  constructor(private readonly emit: Emit) {}

  async open(otherData: Record<string, string>): Promise<void> {
    await this.emit(`{"displayTimeUnit":"ns","otherData":${JSON.stringify(otherData)},"traceEvents":[\n`);
  }

  push(event: string): void {
    this.parts.push(this.first ? event : `,\n${event}`);
    this.first = false;
    this.size += event.length + 2;
  }

  async maybeFlush(): Promise<void> {
    if (this.size >= FLUSH_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.parts.length) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.emit(text);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.emit('\n]}\n');
  }

  meta(name: string, pid: number, tid: number | null, args: Record<string, string | number>): void {
    this.push(`{"ph":"M","name":${JSON.stringify(name)},"pid":${pid}${tid === null ? '' : `,"tid":${tid}`},"args":${JSON.stringify(args)}}`);
  }

  /** args is JSON object text, built by the caller (in SQL for the per-group exports). */
  slice(pid: number, tid: number, tsNs: bigint, durNs: bigint, name: string, cat: string, args: string): void {
    this.slices++;
    this.push(
      `{"ph":"X","pid":${pid},"tid":${tid},"ts":${microseconds(tsNs)},"dur":${microseconds(durNs)},"name":${JSON.stringify(name)},"cat":${JSON.stringify(cat)},"args":${args}}`,
    );
  }

  counter(pid: number, name: string, tsNs: bigint, args: Record<string, number>): void {
    this.counters++;
    this.push(`{"ph":"C","pid":${pid},"name":${JSON.stringify(name)},"ts":${microseconds(tsNs)},"args":${JSON.stringify(args)}}`);
  }
}

/**
 * Greedy interval partitioning per (device, PASID): with slices arriving in start order, each
 * takes the lowest lane that is free by its start, so lane 0 carries most of them. A lane's tid
 * is its PASID when that number is still free; Perfetto's JSON importer attaches thread names
 * by tid alone and keeps tid 0 for the idle thread, so the same PASID on a second device, PASID
 * 0 and extra lanes get spare tids above every PASID instead.
 */
class Lanes {
  private readonly tracks = new Map<string, { ends: bigint[]; tids: number[] }>();
  private readonly taken = new Set<number>();
  private spare = SPARE_TIDS;

  constructor(private readonly out: EventWriter) {}

  get threads(): number {
    return this.taken.size;
  }

  tid(pid: number, pasid: number | null, start: bigint, end: bigint): number {
    const slot = pasid ?? NO_PASID_SLOT;
    const key = `${pid}:${slot}`;
    let track = this.tracks.get(key);
    if (!track) this.tracks.set(key, (track = { ends: [], tids: [] }));
    const lane = track.ends.findIndex((e) => e <= start);
    if (lane >= 0) {
      track.ends[lane] = end;
      return track.tids[lane]!;
    }
    const k = track.ends.length;
    const tid = k === 0 && slot !== 0 && !this.taken.has(slot) ? slot : this.spare++;
    this.taken.add(tid);
    track.ends.push(end);
    track.tids.push(tid);
    const label = pasid === null ? 'no PASID' : `PASID ${pasid}`;
    this.out.meta('thread_name', pid, tid, { name: k === 0 ? label : `${label} · ${k + 1}` });
    this.out.meta('thread_sort_index', pid, tid, { sort_index: slot * 64 + Math.min(k, 63) });
    return tid;
  }
}

async function devicePids(db: Db, sql: string, id: number, out: EventWriter, summaryName: string): Promise<Map<string | null, number>> {
  const rows = await db.all<{ device: string | null }>(sql, [id]);
  out.meta('process_name', SUMMARY_PID, null, { name: summaryName });
  out.meta('process_sort_index', SUMMARY_PID, null, { sort_index: 0 });
  const pids = new Map<string | null, number>();
  rows.forEach((r, i) => {
    const pid = SUMMARY_PID + 1 + i;
    pids.set(r.device, pid);
    out.meta('process_name', pid, null, { name: r.device === null ? '(no device)' : `device ${r.device}` });
    out.meta('process_sort_index', pid, null, { sort_index: i + 1 });
  });
  return pids;
}

/**
 * Emits an outstanding-groups counter per device and one for all devices, from intervals the
 * given SQL yields as (dev, s, e) with e NULL for groups still open at the end. The level is
 * bucketed in SQL: each bucket's maximum at its start, and its final level where a gap follows.
 */
async function outstandingCounters(
  db: Db,
  intervalsSql: string,
  params: (number | bigint)[],
  origin: bigint,
  span: bigint,
  pids: Map<string | null, number>,
  out: EventWriter,
): Promise<void> {
  const width = niceWidthNs(span + 1n, COUNTER_BUCKETS);
  const p = params.length;
  for (const perDevice of [true, false]) {
    // The grouping key is one of two fixed expressions, never caller text.
    const key = perDevice ? 'dev' : "''";
    const rows = await db.all<{ dev: string | null; b: bigint; hi: bigint; last: bigint }>(
      `WITH iv AS (${intervalsSql}),
       d AS (SELECT ${key} AS k, dev, s AS t, 1 AS delta FROM iv UNION ALL SELECT ${key}, dev, e, -1 FROM iv WHERE e IS NOT NULL),
       lv AS (
         SELECT k, any_value(dev) OVER (PARTITION BY k) AS dev, t,
           sum(delta) OVER (PARTITION BY k ORDER BY t, delta ROWS UNBOUNDED PRECEDING) AS level,
           row_number() OVER (PARTITION BY k ORDER BY t, delta) AS r
         FROM d
       )
       SELECT any_value(dev) AS dev, (t - CAST($${p + 1} AS BIGINT)) // CAST($${p + 2} AS BIGINT) AS b,
         max(level) AS hi, arg_max(level, r) AS last
       FROM lv GROUP BY k, b ORDER BY k, b`,
      [...params, origin, width],
    );
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const pid = perDevice ? pids.get(r.dev) : SUMMARY_PID;
      if (pid === undefined) continue;
      const name = perDevice ? 'outstanding groups' : 'outstanding groups (all devices)';
      out.counter(pid, name, r.b * width, { groups: Number(r.hi) });
      const next = rows[i + 1];
      const gapFollows = !next || next.b !== r.b + 1n || (perDevice && next.dev !== r.dev);
      if (gapFollows && r.last !== r.hi) out.counter(pid, name, (r.b + 1n) * width, { groups: Number(r.last) });
      await out.maybeFlush();
    }
  }
}

async function traceFacts(db: Db, traceId: number): Promise<{ name: string; first: bigint; last: bigint }> {
  const [t] = await db.all<{ name: string; first: bigint | null; last: bigint | null }>(
    'SELECT name, first_ts_ns AS first, last_ts_ns AS last FROM traces WHERE trace_id = $1',
    [traceId],
  );
  if (!t) throw new NotFoundError(`no trace with id ${traceId}`);
  const first = t.first ?? 0n;
  return { name: t.name, first, last: t.last ?? first };
}

/** The recorded trace: one slice per fault_groups row, from its first request to its response. */
export async function writeTraceChromeJson(db: Db, traceId: number, emit: Emit, pageRows = DEFAULT_PAGE_ROWS): Promise<ChromeExportSummary> {
  const trace = await traceFacts(db, traceId);
  const out = new EventWriter(emit);
  await out.open({ source: 'PRI Trace Lab', trace_id: String(traceId), trace_name: trace.name, origin_ns: trace.first.toString(), slices: 'fault groups' });
  const pids = await devicePids(
    db,
    'SELECT DISTINCT device FROM fault_groups WHERE trace_id = $1 ORDER BY device NULLS LAST',
    traceId,
    out,
    `trace ${trace.name}`,
  );
  const lanes = new Lanes(out);
  // Unanswered and incomplete groups are censored: the device was still waiting when the trace
  // ended (end NULL here, the trace's last event below). Orphan responses and stop markers are instants.
  await forEachFaultGroupByStart<{
    s: bigint | null;
    e: bigint | null;
    device: string | null;
    pasid: number | null;
    prgi: number | null;
    status: string;
    args: string;
  }>(
    db,
    traceId,
    `${GROUP_START_SQL} AS s,
     CASE WHEN status = 'answered' THEN response_ts_ns WHEN status IN ('unanswered', 'incomplete') THEN NULL ELSE ${GROUP_START_SQL} END AS e,
     device, pasid, prgi, status,
     CAST(to_json({group_no: group_no, iommu: iommu, device: device, pasid: pasid, prgi: prgi, status: status, pages: pages, code: code,
       latency_ns: latency_ns, span_ns: span_ns, first_line: first_line, last_line: last_line, response_line: response_line,
       censored: status IN ('unanswered', 'incomplete')}) AS VARCHAR) AS args`,
    async (rows) => {
      for (const g of rows) {
        const start = g.s ?? trace.first;
        let end = g.e ?? trace.last;
        if (end < start) end = start;
        const pid = pids.get(g.device)!;
        const tid = lanes.tid(pid, g.pasid, start, end);
        out.slice(pid, tid, start - trace.first, end - start, g.status === 'answered' ? `PRGI ${g.prgi}` : `PRGI ${g.prgi} (${g.status})`, g.status, g.args);
      }
      await out.maybeFlush();
    },
    pageRows,
  );
  await outstandingCounters(
    db,
    `SELECT device AS dev, ${GROUP_START_SQL} AS s, CASE WHEN status = 'answered' THEN response_ts_ns END AS e
     FROM fault_groups WHERE trace_id = $1 AND status IN ('answered', 'unanswered', 'incomplete') AND ${GROUP_START_SQL} IS NOT NULL`,
    [traceId],
    trace.first,
    trace.last - trace.first,
    pids,
    out,
  );
  await out.close();
  return { slices: out.slices, counter_events: out.counters, devices: pids.size, threads: lanes.threads, origin_ns: trace.first.toString() };
}

/**
 * A saved replay run: one slice per replayed group, from the recorded arrival of its last-page
 * request for as long as the device waited in the replay (lost groups: zero length), with the
 * run's PRQ depth and outstanding groups as counters. Times share the trace export's origin.
 */
export async function writeRunChromeJson(db: Db, runId: number, emit: Emit, pageRows = DEFAULT_PAGE_ROWS): Promise<ChromeExportSummary & { trace_id: number }> {
  const run = await getReplayRun(db, runId);
  const trace = await traceFacts(db, run.trace_id);
  const [q] = await db.all<{ queue_depth: string | null; first_request: bigint | null; last_arrival: bigint | null }>(
    `SELECT queue_depth,
       (SELECT min(ts_ns) FROM events WHERE trace_id = $2 AND kind = 'page_request') AS first_request,
       (SELECT max(arrival_ts_ns + coalesce(device_latency_ns, 0)) FROM replay_results WHERE run_id = $1) AS last_arrival
     FROM replay_runs WHERE run_id = $1`,
    [runId, run.trace_id],
  );
  const out = new EventWriter(emit);
  await out.open({
    source: 'PRI Trace Lab',
    trace_id: String(run.trace_id),
    trace_name: trace.name,
    run_id: String(runId),
    model: run.model,
    preset: run.preset,
    seed: String(run.seed),
    origin_ns: trace.first.toString(),
    slices: 'replayed groups (device wait)',
  });
  const pids = await devicePids(
    db,
    'SELECT DISTINCT device FROM replay_results WHERE run_id = $1 ORDER BY device NULLS LAST',
    runId,
    out,
    `replay run ${runId} (${run.model})`,
  );
  const lanes = new Lanes(out);
  await forEachReplayResultPage<{ s: bigint | null; wait: bigint | null; device: string | null; pasid: number | null; prgi: number | null; args: string }>(
    db,
    runId,
    `arrival_ts_ns AS s, device_latency_ns AS wait, device, pasid, prgi,
     CAST(to_json({group_index: group_index, iommu: iommu, device: device, pasid: pasid, prgi: prgi, latency_ns: latency_ns,
       device_latency_ns: device_latency_ns, lookup_visits: lookup_visits, lookup_ns: lookup_ns, worker: worker,
       lost: device_latency_ns IS NULL}) AS VARCHAR) AS args`,
    async (rows) => {
      for (const g of rows) {
        const start = g.s ?? trace.first;
        const end = g.wait === null ? start : start + g.wait;
        const pid = pids.get(g.device)!;
        const tid = lanes.tid(pid, g.pasid, start, end);
        const lost = g.wait === null;
        out.slice(pid, tid, start - trace.first, end - start, lost ? `PRGI ${g.prgi} (lost)` : `PRGI ${g.prgi}`, lost ? 'lost' : 'replayed', g.args);
      }
      await out.maybeFlush();
    },
    pageRows,
  );
  const spanEnd = q?.last_arrival !== null && q?.last_arrival !== undefined && q.last_arrival > trace.last ? q.last_arrival : trace.last;
  await outstandingCounters(
    db,
    `SELECT device AS dev, arrival_ts_ns AS s, arrival_ts_ns + device_latency_ns AS e
     FROM replay_results WHERE run_id = $1 AND device_latency_ns IS NOT NULL AND arrival_ts_ns IS NOT NULL`,
    [runId],
    trace.first,
    spanEnd - trace.first,
    pids,
    out,
  );
  if (q?.queue_depth && q.first_request !== null) {
    // The engine's clock starts at the first page request; its buckets are placed from there.
    const series = JSON.parse(q.queue_depth) as QueueDepthSeries;
    const base = q.first_request - trace.first;
    const step = BigInt(Math.round(series.bucketNs));
    for (let k = 0; k < Math.max(series.prqMax.length, series.outstandingMax.length); k++) {
      const at = base + BigInt(k) * step;
      if (k < series.prqMax.length) out.counter(SUMMARY_PID, 'PRQ depth (fullest IOMMU)', at, { requests: series.prqMax[k]! });
      if (k < series.outstandingMax.length) out.counter(SUMMARY_PID, 'outstanding groups (replayed, reported)', at, { groups: series.outstandingMax[k]! });
      await out.maybeFlush();
    }
  }
  await out.close();
  return {
    trace_id: run.trace_id,
    slices: out.slices,
    counter_events: out.counters,
    devices: pids.size,
    threads: lanes.threads,
    origin_ns: trace.first.toString(),
  };
}
