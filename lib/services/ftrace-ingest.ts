// Decodes an ftrace text file into temporary stage tables: the file is cut at line starts
// into parts, each part decoded on its own worker thread (ftrace-worker.ts), and the
// workers' columnar batches appended here as DataChunks (column-append.ts) with their
// dictionary strings. A gzip file is one part (gzip is sequential). storeStaged then moves
// the staged rows into `events` inside the ingest's transaction, joining the dictionaries,
// adding each part's first line number and resolving Intel response devices by RID.
// The stage lives outside the ingest's transaction: a temp table made inside it lives in
// transaction-local storage, and the INSERT from it ran on one thread (2.1 s vs 1.3 s per 1 M
// events). The caller fills it in a staging transaction of its own (services/ingest.ts).
// The .dat reader (dat-ingest.ts) and the simulator parsers (sim-ingest.ts) fill the same
// stage through openStage and summarise.

import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { printable, TraceParseError, TraceRejectedError } from '../core/errors.ts';
import { tsWorker, UNDER_TSX } from '../core/ts-worker.ts';
import { BATCH_COLUMNS, DICT_COLUMNS, type EventBatch } from '../trace/event-batch.ts';
import type { BadLine, PartSummary } from '../trace/event-rows.ts';
import { PageEventCollector, type CollectedPageEvents, type SpillStore } from '../trace/page-event-collector.ts';
import { KIND_CODE } from '../trace/formats/ftrace/kind-codes.ts';
import { responseDeviceFromRid } from '../trace/formats/ftrace/qi-submit.ts';
import { EVENT_KINDS } from '../trace/schema.ts';
import type { Db } from '../db/instance.ts';
import { decompressedCap, type IngestLimits } from '../db/limits.ts';
import type { HostMessage, WorkerJob, WorkerMessage } from './ftrace-worker.ts';

/** Below this a second worker costs more (start-up ~50 ms) than it saves. */
const SPLIT_BYTES = 16 << 20;
const PARTS = 2;

export interface StageTables {
  stage: string;
  parts: string;
  ridmap: string;
  dict: Record<(typeof DICT_COLUMNS)[number], string>;
}

let stagingSeq = 0;

/** Names for one ingest's temporary tables; temp tables are per connection, the counter per process. */
export function stageTables(): StageTables {
  const n = ++stagingSeq;
  return {
    stage: `ftrace_stage_${n}`,
    parts: `ftrace_parts_${n}`,
    ridmap: `ftrace_ridmap_${n}`,
    dict: { task: `ftrace_task_${n}`, event: `ftrace_event_${n}`, iommu: `ftrace_iommu_${n}`, device: `ftrace_device_${n}` },
  };
}

export function allTables(t: StageTables): string[] {
  return [t.stage, t.parts, t.ridmap, ...Object.values(t.dict)];
}

/** What staging a file adds up to, whatever its format (the .dat and simulator paths fill the same stage). */
export interface StagedTrace {
  /** The page events for pairing, kept as the batches went by: taken once. */
  pageEvents: () => CollectedPageEvents;
  lines: number;
  events: number;
  badLines: number;
  candidates: number;
  firstBad: TraceParseError[];
  lostEvents: bigint;
}

/** The first line start at or after offset (0 and the file size are cuts). */
function lineStartAtOrAfter(fd: number, offset: number, size: number): number {
  if (offset <= 0) return 0;
  const buf = Buffer.allocUnsafe(64 << 10);
  let pos = offset - 1;
  let prev = -1;
  while (pos < size) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    for (let i = 0; i < n; i++) {
      const b = buf[i]!;
      const at = pos + i;
      // at is a line start when the byte before it ends a line (a CR only when no LF follows).
      if (at >= offset && (prev === 10 || (prev === 13 && b !== 10))) return at;
      prev = b;
    }
    pos += n;
    if (n === 0) break;
  }
  return size;
}

function cuts(file: string, size: number, parts: number): number[] {
  const fd = fs.openSync(file, 'r');
  try {
    const at = [0];
    for (let k = 1; k < parts; k++) at.push(Math.max(at[k - 1]!, lineStartAtOrAfter(fd, Math.floor((size * k) / parts), size)));
    at.push(size);
    return at;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A decode worker's young generation. V8's default (two 16 MB semi-spaces) fills with each
 * chunk's short-lived values and stays resident, 32 MB a worker beside the ingest's memory
 * peak; the decoder keeps almost nothing alive across a scavenge, so 4 MB semi-spaces cost
 * ~3% of its CPU (1 M lines: 1.9 → 2.0 CPU-s) and took the bench file's peak RSS from
 * 520-543 to 473-496 MiB.
 */
const WORKER_YOUNG_GENERATION_MB = 12;

/** In the Next build the literal `new Worker(new URL(…))` is what Turbopack bundles; under tsx see core/ts-worker.ts. */
function startWorker(job: WorkerJob): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
  if (!UNDER_TSX) return new Worker(new URL('./ftrace-worker.ts', import.meta.url), { workerData: job, resourceLimits });
  return tsWorker(new URL('./ftrace-worker.ts', import.meta.url), { workerData: job, resourceLimits });
}

export interface StageWriter {
  /** Appends a batch and its new dictionary strings; past maxEvents, batches are only counted. */
  append(b: EventBatch): void;
  close(): void;
  /** What pairing needs of the appended batches (trace/page-event-collector.ts). */
  collector: PageEventCollector;
}

/** Creates the stage tables (the caller drops them) and an appender over them; page events go to spill (the caller closes it). */
export async function openStage(db: Db, t: StageTables, maxEvents: number, spill: SpillStore): Promise<StageWriter> {
  const cols = BATCH_COLUMNS.map((c) => `${c.name} ${c.sql}`).join(', ');
  await db.run(`CREATE TEMP TABLE ${t.stage} (${cols}, detail VARCHAR)`);
  for (const name of Object.values(t.dict)) await db.run(`CREATE TEMP TABLE ${name} (code INTEGER, value VARCHAR)`);
  await db.run(`CREATE TEMP TABLE ${t.parts} (part UTINYINT, base BIGINT)`);
  await db.run(`CREATE TEMP TABLE ${t.ridmap} (iommu VARCHAR, rid INTEGER, device VARCHAR)`);
  const appender = await db.batchAppender(t.stage);
  const dicts = await Promise.all(DICT_COLUMNS.map((c) => db.appender(t.dict[c], ['integer', 'varchar'])));
  let events = 0;
  const collector = new PageEventCollector(spill);
  return {
    collector,
    append(b) {
      events += b.rows;
      // Over the limit nothing will be stored: the rest is only counted, for the message.
      if (events > maxEvents) return;
      appender.append(b);
      collector.add(b);
      DICT_COLUMNS.forEach((c, i) => {
        for (const [code, text] of b.dict[c]) dicts[i]!.row([code, text]);
      });
    },
    close() {
      appender.close();
      for (const d of dicts) d.close();
    },
  };
}

/**
 * Decodes file into the stage tables (created here; the caller drops them). Returns the
 * counts and the first bad lines with file line numbers. Rejects over-limit files early.
 */
export async function stageFtrace(
  db: Db,
  t: StageTables,
  opts: {
    file: string;
    gzip: boolean;
    display: string;
    limits: IngestLimits;
    keepBad: number;
    parts?: number;
    spill: SpillStore;
    onFraction: (f: number) => void;
  },
): Promise<StagedTrace> {
  const stage = await openStage(db, t, opts.limits.maxEvents, opts.spill);
  const size = fs.statSync(opts.file).size;
  const parts = opts.gzip ? 1 : Math.max(1, Math.min(255, opts.parts ?? (size < SPLIT_BYTES ? 1 : PARTS)));
  const at = opts.gzip ? [0, size] : cuts(opts.file, size, parts);
  const workers: Worker[] = [];
  const exited: Promise<unknown>[] = [];
  const done: PartSummary[] = [];
  const progress = new Array<number>(parts).fill(0);
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      const fail = (e: Error) => {
        for (const w of workers) void w.terminate();
        reject(e);
      };
      for (let part = 0; part < parts; part++) {
        const w = startWorker({
          file: opts.file,
          gzip: opts.gzip,
          start: at[part]!,
          end: at[part + 1]!,
          part,
          parts,
          maxLineBytes: opts.limits.maxLineBytes,
          decompressedCap: decompressedCap(opts.limits, size),
          keepBad: opts.keepBad,
        });
        workers.push(w);
        exited.push(new Promise((r) => w.once('exit', r)));
        let settled = false;
        w.on('message', (m: WorkerMessage) => {
          try {
            if (m.type === 'batch') {
              stage.append(m.batch);
              w.postMessage({ type: 'ack' } satisfies HostMessage);
              progress[part] = m.bytes;
              opts.onFraction(progress.reduce((a, b) => a + b, 0) / Math.max(1, size));
            } else if (m.type === 'done') {
              settled = true;
              done[part] = m.summary;
              if (++finished === parts) resolve();
            } else {
              settled = true;
              fail(m.kind === 'io' ? new Error(m.message) : new TraceRejectedError(opts.display, m.message));
            }
          } catch (e) {
            settled = true;
            fail(e as Error);
          }
        });
        w.on('error', (e) => fail(e));
        w.on('exit', (code) => {
          if (!settled) fail(new Error(`ftrace decode worker ${part} exited with code ${code} before finishing`));
        });
      }
    });
    // A finished worker's heap is freed only when its thread exits: without this wait it stayed
    // resident into the pairing and store that come next (~60 MB when pairing held every event).
    await Promise.all(exited);
  } finally {
    stage.close();
  }
  return summarise(db, t, done, opts.display, opts.keepBad, stage.collector);
}

/** Records each part's first line and the RID → device map; adds up the parts' counts and first bad lines. */
export async function summarise(
  db: Db,
  t: StageTables,
  parts: PartSummary[],
  display: string,
  keepBad: number,
  collector: PageEventCollector,
): Promise<StagedTrace> {
  const base: number[] = [];
  let lines = 0;
  for (const p of parts) {
    base.push(lines);
    lines += p.lines;
  }
  const partRows = await db.appender(t.parts, ['integer', 'bigint']);
  base.forEach((b, part) => partRows.row([part, BigInt(b)]));
  partRows.close();

  // Intel responses name no device: the first request in the file with their IOMMU and RID does.
  const firstRequest = new Map<string, string>();
  for (const p of parts) for (const r of p.requestDevices) if (!firstRequest.has(`${r.iommu}\0${r.rid}`)) firstRequest.set(`${r.iommu}\0${r.rid}`, r.device);
  const ridRows = await db.appender(t.ridmap, ['varchar', 'integer', 'varchar']);
  const ridDevice = new Map<string, string>();
  for (const p of parts) {
    for (const r of p.responseRids) {
      const key = `${r.iommu}\0${r.rid}`;
      if (ridDevice.has(key)) continue;
      const device = responseDeviceFromRid(r.rid, firstRequest.get(key));
      ridDevice.set(key, device);
      ridRows.row([r.iommu, r.rid, device]);
    }
  }
  ridRows.close();

  const located = (b: BadLine, part: number) =>
    new TraceParseError({ file: display, line: base[part]! + b.line, column: b.column }, b.text === null ? b.reason : `${b.reason}: "${printable(b.text)}"`);
  const firstBad = parts.flatMap((p, part) => p.firstBad.map((b) => located(b, part))).slice(0, keepBad);
  const badLines = parts.reduce((a, p) => a + p.badLines, 0);
  const events = parts.reduce((a, p) => a + p.events, 0);
  let lostEvents = 0n;
  for (const p of parts) for (const c of p.lostCounts) lostEvents += BigInt(c);
  if (lostEvents > 9223372036854775807n) {
    throw new TraceRejectedError(display, `lost-events markers add up to ${lostEvents}, past 2^63 − 1; nothing was stored`);
  }
  const pageEvents = () => collector.finish(base, (iommu, rid) => ridDevice.get(`${iommu}\0${rid}`) ?? null);
  return { pageEvents, lines, events, badLines, candidates: events + badLines, firstBad, lostEvents };
}

const sqlList = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
/** Perm text for each of the 16 perm bit patterns (1 r, 2 w, 4 x, 8 p), in 'rwxp' order. */
const PERM_TEXT = Array.from({ length: 16 }, (_, bits) => ['r', 'w', 'x', 'p'].filter((_, i) => bits & (1 << i)).join(''));

/** Moves the staged rows into events for traceId (inside the caller's transaction). */
export async function storeStaged(tx: Db, t: StageTables, traceId: number, onProgress: (f: number) => void): Promise<void> {
  await tx.run(
    `INSERT INTO events
     SELECT $1, s.line + p.base, s.ts_ns, s.cpu, dt.value, s.pid, ${sqlList(EVENT_KINDS)}[s.kind + 1], de.value, di.value,
       CASE WHEN s.device IS NULL AND s.kind = ${KIND_CODE.page_response} AND s.rid IS NOT NULL THEN r.device ELSE dd.value END,
       s.rid, s.pasid, s.prgi, s.last, s.addr, ${sqlList(PERM_TEXT)}[s.perm + 1], s.code, s.seq, s.detail
     FROM ${t.stage} s
     JOIN ${t.parts} p ON p.part = s.part
     LEFT JOIN ${t.dict.task} dt ON dt.code = s.task
     LEFT JOIN ${t.dict.event} de ON de.code = s.event
     LEFT JOIN ${t.dict.iommu} di ON di.code = s.iommu
     LEFT JOIN ${t.dict.device} dd ON dd.code = s.device
     LEFT JOIN ${t.ridmap} r ON r.iommu = di.value AND r.rid = s.rid`,
    [traceId],
    onProgress,
  );
}
