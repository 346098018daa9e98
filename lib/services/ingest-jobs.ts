// Uploads into the store: `ingestUpload` streams a request body to a temp file and ingests
// it, and an in-memory job table records its progress so the browser can poll
// `GET /api/ingest-jobs/<id>` while `POST /api/traces?job=<id>` runs. Called by the upload
// route. The uploader names the job (a random id it makes), so ids are validated and never
// used in paths. Surprising: Next evaluates route modules separately, so the table lives on
// globalThis; ingests run one at a time (DuckDB has one writer; queueing keeps memory flat).

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { envNumber, envText, projectHome } from '../core/config.ts';
import { UploadStalledError, UploadTooLargeError } from '../core/errors.ts';
import { processSlots, type Release } from '../core/slots.ts';
import { ingestFile, type IngestProgress, type IngestResult } from './ingest.ts';
import { publishAfterIngest } from './lake-auto-publish.ts';
import { processAlive } from '../db/process-alive.ts';
import { lakeDir } from '../db/lake/config.ts';
import { openDb } from '../db/instance.ts';

export type JobPhase = 'receive' | 'queued' | IngestProgress['phase'] | 'done' | 'failed';

export interface IngestJob {
  id: string;
  phase: JobPhase;
  /** 0..1 within the phase when known. */
  fraction: number | null;
  bytes_received: number;
  /** From Content-Length, when the client sent one. */
  bytes_total: number | null;
  trace_id: number | null;
  error: string | null;
  started_at: number;
  updated_at: number;
}

const JOB_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** Finished jobs stay readable this long so a slow poller still sees the outcome. */
const KEEP_FINISHED_MS = 10 * 60 * 1000;
const MAX_JOBS = 1000;

interface QueuedIngest {
  bytes: number;
  since: number;
  start: () => void;
}

interface JobTable {
  jobs: Map<string, IngestJob>;
  /** An ingest is running; the next starts when it settles. */
  running: boolean;
  waiting: QueuedIngest[];
}

const key = Symbol.for('pritrace.ingest-jobs');
type GlobalWithJobs = typeof globalThis & { [key]?: JobTable };

function table(): JobTable {
  const g = globalThis as GlobalWithJobs;
  return (g[key] ??= { jobs: new Map(), running: false, waiting: [] });
}

export function isValidJobId(id: string): boolean {
  return JOB_ID.test(id);
}

function prune(now: number): void {
  const { jobs } = table();
  for (const [id, job] of jobs) {
    const finished = job.phase === 'done' || job.phase === 'failed';
    if (finished && now - job.updated_at > KEEP_FINISHED_MS) jobs.delete(id);
  }
  // A flood of never-finishing ids must not grow the table without bound.
  while (jobs.size > MAX_JOBS) {
    const oldest = jobs.keys().next().value;
    if (oldest === undefined) break;
    jobs.delete(oldest);
  }
}

/** Registers a job (or replaces a finished one with the same id) and returns its id. */
export function startJob(id: string, bytesTotal: number | null): IngestJob {
  const now = Date.now();
  prune(now);
  const job: IngestJob = {
    id,
    phase: 'receive',
    fraction: bytesTotal ? 0 : null,
    bytes_received: 0,
    bytes_total: bytesTotal,
    trace_id: null,
    error: null,
    started_at: now,
    updated_at: now,
  };
  table().jobs.set(id, job);
  return job;
}

export function getJob(id: string): IngestJob | null {
  const job = table().jobs.get(id);
  return job ? { ...job } : null;
}

export function updateJob(id: string, patch: Partial<Omit<IngestJob, 'id' | 'started_at'>>): void {
  const job = table().jobs.get(id);
  if (!job) return;
  Object.assign(job, patch, { updated_at: Date.now() });
}

/** The onProgress callback for ingestFile that records phases into the job. */
export function progressReporter(id: string): (p: IngestProgress) => void {
  return (p) => updateJob(id, { phase: p.phase, fraction: p.fraction ?? null });
}

export function finishJob(id: string, outcome: { result: IngestResult } | { error: string }): void {
  if ('result' in outcome) updateJob(id, { phase: 'done', fraction: 1, trace_id: outcome.result.trace_id });
  else updateJob(id, { phase: 'failed', error: outcome.error });
}

/** An ingest waiting this long goes next whatever its size, so a big file is never starved. */
export const INGEST_AGING_MS = 60_000;

function startNext(t: JobTable): void {
  if (t.running || t.waiting.length === 0) return;
  const now = Date.now();
  // First come among those that waited long enough; otherwise the smallest file first, so one
  // huge upload does not hold every small one behind it.
  let pick = t.waiting.findIndex((w) => now - w.since >= INGEST_AGING_MS);
  if (pick < 0) pick = t.waiting.reduce((best, w, i) => (w.bytes < t.waiting[best]!.bytes ? i : best), 0);
  const [next] = t.waiting.splice(pick, 1);
  t.running = true;
  next!.start();
}

/**
 * Runs fn when no other ingest of this process runs (DuckDB has one writer; one at a time keeps
 * memory flat). Waiting ingests go smallest `bytes` first, ties and any that waited
 * INGEST_AGING_MS in arrival order.
 */
export function enqueueIngest<T>(fn: () => Promise<T>, bytes = 0): Promise<T> {
  const t = table();
  return new Promise<T>((resolve, reject) => {
    t.waiting.push({
      bytes,
      since: Date.now(),
      start: () => {
        Promise.resolve()
          .then(fn)
          .then(resolve, reject)
          .finally(() => {
            t.running = false;
            startNext(t);
          });
      },
    });
    startNext(t);
  });
}

/** Uploads being received at once; more get 429 (their bodies are not read). */
export const MAX_UPLOADS_RECEIVING = 8;
/**
 * How long an upload body may send nothing before it is dropped (PRITRACE_UPLOAD_IDLE_MS,
 * default 30 s): a trickling client cannot hold a receive slot for ever.
 */
export function uploadIdleMs(): number {
  return envNumber('PRITRACE_UPLOAD_IDLE_MS', 30_000, 'positive');
}

const DEFAULT_MAX_UPLOAD_BYTES = 4 * 2 ** 30;

export function maxUploadBytes(): number {
  return envNumber('PRITRACE_MAX_UPLOAD_BYTES', DEFAULT_MAX_UPLOAD_BYTES, 'positive');
}

/** Where uploads wait for their ingest: $PRITRACE_UPLOAD_DIR, else data/uploads under the project home. */
export function uploadDir(): string {
  const explicit = envText('PRITRACE_UPLOAD_DIR');
  return explicit ? path.resolve(explicit) : path.resolve(projectHome(), 'data', 'uploads');
}

/**
 * Temp files are named `<pid>-<uuid>.upload` so a server can tell its own from those of a
 * server that died without its `finally` (SIGKILL, OOM, power loss) while another server
 * sharing the directory (one per database, same project home) may still be writing its own.
 */
const UPLOAD_FILE = /^(?:(\d+)-)?[0-9a-f-]{36}\.upload$/;

/**
 * Removes upload temp files whose writer is gone; called once at server start, before the
 * first upload. Returns the names removed.
 */
export function removeStaleUploads(dir = uploadDir()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = UPLOAD_FILE.exec(name);
    if (!m) continue;
    const pid = m[1] === undefined ? null : Number(m[1]);
    if (pid !== null && pid !== process.pid && processAlive(pid)) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

export interface UploadOptions {
  /** The raw request body: the file's bytes, never multipart. */
  body: ReadableStream<Uint8Array>;
  /** The client's file name: shown in errors and as the trace name, never used in a path. */
  displayName: string;
  name?: string;
  jobId?: string | null;
  /** Content-Length when the client sent one (progress only; the limit is enforced on bytes read). */
  declaredBytes?: number | null;
  dbPath: string;
}

/**
 * Streams an upload to a temp file with a random name, ingests it (queued behind any running
 * ingest), and removes the temp file whatever happens. Memory stays flat: the body is piped
 * to disk chunk by chunk and DuckDB reads the file itself.
 */
export async function ingestUpload(opts: UploadOptions): Promise<IngestResult> {
  const limit = maxUploadBytes();
  const jobId = opts.jobId ?? null;
  if (jobId) startJob(jobId, opts.declaredBytes ?? null);
  const dir = uploadDir();
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${process.pid}-${randomUUID()}.upload`);
  let releaseReceive: Release | null = null;
  try {
    releaseReceive = await processSlots('uploads being received', MAX_UPLOADS_RECEIVING, 0).acquire(0);
    let received = 0;
    let lastReport = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        // Past the limit the rest of the body is read and dropped, not cancelled: cancelling
        // destroys the connection under the answer, and a client that reuses it for its next
        // request gets ECONNRESET. Only a client without Content-Length gets here; one that
        // declares too much is refused before the body is read.
        if (received > limit) return done();
        if (jobId && received - lastReport >= 1 << 20) {
          lastReport = received;
          const total = opts.declaredBytes ?? null;
          updateJob(jobId, { bytes_received: received, fraction: total ? Math.min(1, received / total) : null });
        }
        done(null, chunk);
      },
    });
    const source = Readable.fromWeb(opts.body as NodeReadableStream<Uint8Array>);
    const idleMs = uploadIdleMs();
    let idle: NodeJS.Timeout | undefined;
    const watch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => source.destroy(new UploadStalledError(idleMs)), idleMs);
    };
    source.on('data', watch);
    watch();
    try {
      await pipeline(source, counter, fs.createWriteStream(tmp, { flags: 'wx' }));
    } finally {
      clearTimeout(idle);
      releaseReceive();
      releaseReceive = null;
    }
    if (received > limit) throw new UploadTooLargeError(limit);
    if (jobId) updateJob(jobId, { phase: 'queued', bytes_received: received, fraction: null });

    const result = await enqueueIngest(async () => {
      const db = await openDb(opts.dbPath, { progress: true });
      try {
        const ingested = await ingestFile(db, {
          file: tmp,
          displayName: opts.displayName,
          name: opts.name,
          onProgress: jobId ? progressReporter(jobId) : undefined,
        });
        return await publishAfterIngest(db, ingested);
      } finally {
        db.close();
      }
    }, received);
    if (jobId) finishJob(jobId, { result });
    return result;
  } catch (e) {
    if (jobId) finishJob(jobId, { error: e instanceof Error ? e.message : String(e) });
    throw e;
  } finally {
    releaseReceive?.();
    await fs.promises.rm(tmp, { force: true });
  }
}

/** The sample a fresh dashboard offers to load (traces/README.md describes it). */
export const BUNDLED_SAMPLE = 'intel-v6.9-trace.txt';

function bundledTracesDir(): string {
  return path.resolve(projectHome(), 'traces');
}

/** Every directory the server's DuckDB reads or writes: the upload staging directory, the bundled traces and the lake. */
export function serverInputDirs(): string[] {
  const lake = lakeDir();
  return [uploadDir(), bundledTracesDir(), ...(lake ? [lake] : [])];
}

/** Ingests the bundled sample from the project's traces/ folder, queued like an upload. */
export function ingestBundledSample(dbPath: string): Promise<IngestResult> {
  const file = path.join(bundledTracesDir(), BUNDLED_SAMPLE);
  return enqueueIngest(async () => {
    const db = await openDb(dbPath, { progress: true });
    try {
      return await publishAfterIngest(db, await ingestFile(db, { file, displayName: BUNDLED_SAMPLE }));
    } finally {
      db.close();
    }
  });
}
