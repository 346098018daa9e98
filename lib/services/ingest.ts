// Ingests one trace file into the database as one transaction: the trace appears whole, with
// its events and derived fault groups, or not at all. ftrace text is decoded in TypeScript on
// worker threads and handed over as columnar DataChunks (ftrace-ingest.ts: the fastest path
// measured); simulator CSV/JSONL are parsed in TypeScript into the same batches (sim-ingest.ts)
// and .dat files read into them (dat-ingest.ts), so every format shares the stage, the pairing
// and the store. Bad lines are counted with their location; over the threshold the file is
// rejected with the first few of them.

import fs from 'node:fs';
import path from 'node:path';
import { TraceParseError, TraceRejectedError, withoutControls } from '../core/errors.ts';
import { stageFaultGroups, type StagedGroups } from './pairing.ts';
import { openSpillFile, spillDir } from './spill-file.ts';
import { detectFormat } from '../trace/detect.ts';
import { COMPLETED_GROUP_SQL, type TraceFormat } from '../trace/schema.ts';
import { readableDirs, type Db } from '../db/instance.ts';
import { fileSha256, headLines, isGzip, scanFile } from './file-source.ts';
import { isTraceDat, stageDat } from './dat-ingest.ts';
import { stageSim } from './sim-ingest.ts';
import { allTables, stageFtrace, stageTables, storeStaged, type StageTables, type StagedTrace } from './ftrace-ingest.ts';
import { decompressedCap, ingestLimits, type IngestLimits } from '../db/limits.ts';
import { storeGroupSummary } from '../db/group-summary.ts';

export interface IngestProgress {
  phase: 'detect' | 'decode' | 'store' | 'pair' | 'commit';
  /** 0..1 within the phase when known. */
  fraction?: number;
}

export interface IngestOptions {
  file: string;
  /** Name shown for the file in errors and the default trace name (uploads pass the original name). */
  displayName?: string;
  name?: string;
  limits?: Partial<IngestLimits>;
  /**
   * Byte ranges (worker threads) a plain ftrace file is decoded in; default 2 from 16 MiB up,
   * else 1. gzip is always one.
   */
  decodeParts?: number;
  onProgress?: (p: IngestProgress) => void;
}

export interface IngestResult {
  trace_id: number;
  name: string;
  format: TraceFormat;
  lines: number;
  events: number;
  page_requests: number;
  page_responses: number;
  unrecoverable_faults: number;
  context_events: number;
  other_events: number;
  lost_markers: number;
  lost_events: number;
  bad_lines: number;
  groups: { total: number; answered: number; unanswered: number; incomplete: number; orphan_responses: number; stop_markers: number };
  warnings: string[];
  seconds: number;
}

const MAX_REPORTED = 5;

interface Decoded {
  lines: number;
  badLines: number;
  candidates: number;
  firstBad: TraceParseError[];
  /** Sum of the lost-events markers' counts, when the decoder added them up exactly. */
  lostEvents?: bigint;
  /** Fault groups paired from the decoded events, waiting to be inserted; absent when the file is rejected for its bad lines. */
  groups?: StagedGroups;
}

export async function ingestFile(db: Db, opts: IngestOptions): Promise<IngestResult> {
  const started = performance.now();
  const limits = ingestLimits(opts.limits);
  // File names can hold newlines and escape sequences; they end up in one-line messages and names.
  const display = withoutControls(opts.displayName ?? path.basename(opts.file));
  const progress = opts.onProgress ?? (() => undefined);

  let stat: fs.Stats;
  try {
    stat = fs.statSync(opts.file);
  } catch (e) {
    throw new TraceRejectedError(display, `cannot read file: ${(e as Error).message}`, [], { cause: e });
  }
  if (!stat.isFile()) throw new TraceRejectedError(display, 'not a regular file');
  confined(opts.file, display);

  progress({ phase: 'detect' });
  const gzip = isGzip(opts.file);
  if (!gzip && display.endsWith('.gz') && stat.size > 0) {
    throw new TraceRejectedError(display, 'named .gz but is not gzip data');
  }
  // trace-cmd's binary trace.dat is found by its magic bytes; its reader fills the same stage.
  const dat = !gzip && isTraceDat(opts.file);
  const format = dat ? 'trace-dat' : await detect(opts.file, gzip, display, limits);
  const sim = format === 'sim-csv' || format === 'sim-jsonl' ? format : null;
  // A simulator file is checked whole first, so that a broken or over-cap gzip is reported as
  // that, not as the bad rows its text makes. The ftrace hash reads the file on this thread
  // while the workers decode it.
  const sha256 = sim ? Promise.resolve((await scanFile(opts.file, gzip, decompressedCap(limits, stat.size), display)).sha256) : fileSha256(opts.file);
  const tables = stageTables();
  const spill = openSpillFile(spillDir(db.path));
  // Paired inside the staging transaction (null: the file will be rejected for its bad
  // lines); the groups' temp tables are dropped whatever happens next.
  const paired: { groups: StagedGroups | null } = { groups: null };
  try {
    progress({ phase: 'decode', fraction: 0 });
    const onFraction = (f: number) => progress({ phase: 'decode', fraction: f });
    // The stage fills in a transaction of its own, committed before the ingest's: appended
    // chunk by chunk in autocommit, the 25 M-line trace's INSERT into events ran out of the CLI's
    // 96 MB pool ~1 in 10 times (every time at 80 MB) while one staging transaction passed at
    // 80 MB; a stage made inside the ingest's transaction would be read on one thread. The
    // groups are paired in it too, for the same reason: their insert into fault_groups then
    // reads committed temp tables on two threads (3.4 GB trace: pair phase 8.2 → 4.7 s).
    const staged = await db.transaction(async () => {
      const s = dat
        ? await stageDat(db, tables, { file: opts.file, display, limits, keepBad: MAX_REPORTED, spill, onFraction })
        : sim
          ? await stageSim(db, tables, { file: opts.file, gzip, format: sim, display, limits, keepBad: MAX_REPORTED, spill, onFraction })
          : await stageFtrace(db, tables, { file: opts.file, gzip, display, limits, keepBad: MAX_REPORTED, parts: opts.decodeParts, spill, onFraction });
      // Checked on the stage, before anything is paired or stored.
      if (s.events > limits.maxEvents) {
        throw new TraceRejectedError(display, `${s.events} events exceed the limit of ${limits.maxEvents} (PRITRACE_MAX_EVENTS); nothing was stored`);
      }
      if (tooManyBadLines(s, limits)) return s;
      progress({ phase: 'store', fraction: 0 });
      // Paired before the stage moves into events, so the walk's garbage is collected before
      // that statement, whose memory is the ingest's peak.
      paired.groups = await stageFaultGroups(db, s.pageEvents());
      return s;
    });
    return await ingestInTransaction(db, opts, started, display, limits, progress, stat, gzip, await sha256, format, { tables, staged, groups: paired.groups });
  } finally {
    await paired.groups?.drop().catch(() => undefined);
    spill.close();
    await sha256.catch(() => undefined);
    for (const t of allTables(tables)) await db.run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
  }
}

/**
 * The format, from the file's head. A gzip file whose head cannot be read or holds nothing is
 * first checked whole, so that a broken or over-cap gzip is reported as that, not as an empty
 * or unreadable text; a good gzip is checked while it is decoded, not in a pass of its own.
 */
async function detect(file: string, gzip: boolean, display: string, limits: IngestLimits): Promise<TraceFormat> {
  try {
    return detectFormat(display, await headLines(file, gzip, display));
  } catch (e) {
    if (gzip && e instanceof TraceRejectedError) await scanFile(file, gzip, decompressedCap(limits, fs.statSync(file).size), display);
    throw e;
  }
}

/**
 * A server confines its DuckDB instance to the upload directories (restrictFileAccess); the
 * decoders read files in Node, so the same confinement is checked here, on the real path.
 */
function confined(file: string, display: string): void {
  const dirs = readableDirs();
  if (!dirs) return;
  const real = fs.realpathSync(file);
  const inside = (dir: string) => {
    try {
      return real.startsWith(fs.realpathSync(dir) + path.sep);
    } catch {
      return false;
    }
  };
  if (!dirs.some((d) => real.startsWith(d) || inside(d))) {
    throw new TraceRejectedError(display, 'reading files outside the upload directories is disabled by configuration');
  }
}

async function ingestInTransaction(
  db: Db,
  opts: IngestOptions,
  started: number,
  display: string,
  limits: IngestLimits,
  progress: (p: IngestProgress) => void,
  stat: fs.Stats,
  gzip: boolean,
  sha256: string,
  format: TraceFormat,
  staged: { tables: StageTables; staged: StagedTrace; groups: StagedGroups | null },
): Promise<IngestResult> {
  return db.transaction(async (tx) => {
    const idRows = await tx.all<{ id: number }>("SELECT CAST(nextval('trace_id_seq') AS INTEGER) AS id");
    const traceId = idRows[0]!.id;
    const name = await uniqueName(tx, opts.name ?? display);
    await tx.run(
      `INSERT INTO traces (trace_id, name, source_file, format, file_hash, file_bytes, ingested_at)
       VALUES ($1, $2, $3, $4, $5, $6, (now() AT TIME ZONE 'UTC'))`,
      [traceId, name, display, format, sha256, BigInt(stat.size)],
    );

    const decoded = await storeStage(tx, traceId, staged, progress);

    if (tooManyBadLines(decoded, limits)) {
      throw new TraceRejectedError(
        display,
        `${decoded.badLines} of ${decoded.candidates} lines are bad (over the ${Number((limits.maxBadLineRatio * 100).toPrecision(6))}% threshold, PRITRACE_MAX_BAD_LINE_RATIO); nothing was stored`,
        decoded.firstBad,
      );
    }

    progress({ phase: 'pair', fraction: 0 });
    const onPair = (f: number) => progress({ phase: 'pair', fraction: f });
    try {
      await decoded.groups?.insert(traceId, onPair);
    } catch (e) {
      // An aborted transaction refuses the DROP too; the insert's error is the one to report.
      await decoded.groups?.drop().catch(() => undefined);
      throw e;
    }
    await decoded.groups?.drop();

    const counts = await eventCounts(tx, traceId);
    if (counts.events === 0) throw new TraceRejectedError(display, 'no trace events found', decoded.firstBad);
    const warnings = decoded.firstBad.map((e) => e.message);
    await tx.run(
      `UPDATE traces SET lines = $2, events = $3, page_requests = $4, page_responses = $5, unrecoverable_faults = $6,
         context_events = $7, other_events = $8, lost_markers = $9, lost_events = $10, bad_lines = $11,
         first_ts_ns = $12, last_ts_ns = $13, meta = $14::JSON
       WHERE trace_id = $1`,
      [
        traceId,
        decoded.lines,
        counts.events,
        counts.page_request,
        counts.page_response,
        counts.unrecoverable_fault,
        counts.context,
        counts.other,
        counts.lost,
        decoded.lostEvents ?? counts.lost_events,
        decoded.badLines,
        counts.first_ts,
        counts.last_ts,
        JSON.stringify({ warnings, gzip }),
      ],
    );
    const groups = await groupCounts(tx, traceId);
    await storeGroupSummary(tx, traceId, groups.total, groups.answered);
    progress({ phase: 'commit' });
    return {
      trace_id: traceId,
      name,
      format,
      lines: decoded.lines,
      events: counts.events,
      page_requests: counts.page_request,
      page_responses: counts.page_response,
      unrecoverable_faults: counts.unrecoverable_fault,
      context_events: counts.context,
      other_events: counts.other,
      lost_markers: counts.lost,
      lost_events: counts.lost_events,
      bad_lines: decoded.badLines,
      groups,
      warnings,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

function tooManyBadLines(d: { badLines: number; candidates: number }, limits: IngestLimits): boolean {
  return d.badLines > limits.maxBadLineRatio * Math.max(1, d.candidates);
}

async function uniqueName(tx: Db, wanted: string): Promise<string> {
  const base = wanted.trim() || 'trace';
  const rows = await tx.all<{ name: string }>('SELECT name FROM traces WHERE name = $1 OR name LIKE $2', [base, `${base} (%)`]);
  const taken = new Set(rows.map((r) => r.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base} (${i})`)) return `${base} (${i})`;
}

/** Moves a paired stage into events; without groups (too many bad lines) it stores nothing. */
async function storeStage(
  tx: Db,
  traceId: number,
  { tables, staged, groups }: { tables: StageTables; staged: StagedTrace; groups: StagedGroups | null },
  progress: (p: IngestProgress) => void,
): Promise<Decoded> {
  const out: Decoded = {
    lines: staged.lines,
    badLines: staged.badLines,
    candidates: staged.candidates,
    firstBad: staged.firstBad,
    lostEvents: staged.lostEvents,
  };
  if (!groups) return out;
  await storeStaged(tx, tables, traceId, (f) => progress({ phase: 'store', fraction: f }));
  return { ...out, groups };
}

interface Counts {
  events: number;
  page_request: number;
  page_response: number;
  unrecoverable_fault: number;
  context: number;
  other: number;
  lost: number;
  lost_events: number;
  first_ts: bigint | null;
  last_ts: bigint | null;
}

async function eventCounts(tx: Db, traceId: number): Promise<Counts> {
  const [r] = await tx.all<Record<string, bigint | null>>(
    `SELECT count(*) AS events,
       count(*) FILTER (kind = 'page_request') AS page_request,
       count(*) FILTER (kind = 'page_response') AS page_response,
       count(*) FILTER (kind = 'unrecoverable_fault') AS unrecoverable_fault,
       count(*) FILTER (kind = 'context') AS context,
       count(*) FILTER (kind = 'other') AS other,
       count(*) FILTER (kind = 'lost') AS lost,
       coalesce(sum(TRY_CAST(detail AS BIGINT)) FILTER (kind = 'lost'), 0) AS lost_events,
       min(ts_ns) AS first_ts, max(ts_ns) AS last_ts
     FROM events WHERE trace_id = $1`,
    [traceId],
  );
  const n = (k: string) => Number(r![k] ?? 0);
  return {
    events: n('events'),
    page_request: n('page_request'),
    page_response: n('page_response'),
    unrecoverable_fault: n('unrecoverable_fault'),
    context: n('context'),
    other: n('other'),
    lost: n('lost'),
    lost_events: n('lost_events'),
    first_ts: r!.first_ts ?? null,
    last_ts: r!.last_ts ?? null,
  };
}

export async function groupCounts(db: Db, traceId: number): Promise<IngestResult['groups']> {
  const [r] = await db.all<Record<string, bigint>>(
    `SELECT count(*) FILTER (${COMPLETED_GROUP_SQL}) AS total,
       count(*) FILTER (status = 'answered') AS answered,
       count(*) FILTER (status = 'unanswered') AS unanswered,
       count(*) FILTER (status = 'incomplete') AS incomplete,
       count(*) FILTER (status = 'orphan_response') AS orphan_responses,
       count(*) FILTER (status = 'stop_marker') AS stop_markers
     FROM fault_groups WHERE trace_id = $1`,
    [traceId],
  );
  return {
    total: Number(r!.total),
    answered: Number(r!.answered),
    unanswered: Number(r!.unanswered),
    incomplete: Number(r!.incomplete),
    orphan_responses: Number(r!.orphan_responses),
    stop_markers: Number(r!.stop_markers),
  };
}
