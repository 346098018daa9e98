// Concurrency against one real `next start`: 4 uploads at once (ftrace, gzipped ftrace,
// simulator CSV and JSON Lines, each polled through its ingest job), while two clients load
// every page of a stored trace and the API in a loop and two replays run. Every answer must be
// 2xx or a clean retryable one (409/429/503 with a JSON message and Retry-After, which the
// client honours and retries); never a 5xx, never a DuckDB lock message, never a page whose
// rendering failed. Afterwards every uploaded trace must be whole: its stored events and groups
// by status equal a separate clean `pritrace ingest` of the same file. Then the other way round:
// while a `pritrace ingest` process holds the database, the API answers 503 with Retry-After
// (an upload too, and the client's retry then succeeds), pages never show the lock, and once the
// CLI is done the server takes the database and both traces are whole.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { simulate, writeIntelFtrace, writeSimCsv, writeSimJsonl, type SimEvents } from '../../lib/sim/index.ts';
import { startServer, type Server } from '../e2e/server.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';
import { BIN, holdsDatabase, runCli } from './support.ts';
import {
  assertBuilt,
  countsOf,
  request,
  sleep,
  storedTraces,
  storedTracesViaServer,
  upload,
  uploadTempFiles,
  type HttpAnswer,
  type TraceCounts,
} from './server-support.ts';

const GROUPS = 15_000;
const RETRYABLE = new Set([409, 429, 503]);
/** A client waits what Retry-After says, capped so the test stays short. */
const MAX_WAIT_MS = 2_000;
const MAX_ATTEMPTS = 20;
const LOCK_TEXT = /Conflicting lock|Could not set lock|lock on file/i;
/**
 * A page whose server component failed: production HTML carries no message, only the error's
 * digest in the flight data and an errored Suspense boundary (`<!--$!-->`).
 */
const ERROR_VIEW = /\\?"digest\\?":|<!--\$!-->/;

interface Sent {
  kind: string;
  url: string;
  status: number;
  ms: number;
  attempts: number;
}

/**
 * A client that honours retryable answers (waits what Retry-After says, capped, and sends
 * again), records every answer, and notes every unclean one in problems.
 */
function client() {
  const sent: Sent[] = [];
  const problems: string[] = [];
  async function send(kind: string, attempt: () => Promise<HttpAnswer>, url: string): Promise<HttpAnswer> {
    for (let n = 1; ; n++) {
      const r = await attempt();
      sent.push({ kind, url, status: r.status, ms: r.ms, attempts: n });
      if (LOCK_TEXT.test(r.text)) problems.push(`${kind} ${url}: ${r.status} mentions a lock: ${r.text.slice(0, 200)}`);
      if (r.status >= 500 && !RETRYABLE.has(r.status)) problems.push(`${kind} ${url}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status >= 200 && r.status < 300 && r.headers.get('content-type')?.includes('text/html') && ERROR_VIEW.test(r.text)) {
        problems.push(`${kind} ${url}: the page rendered an error boundary`);
      }
      if (!RETRYABLE.has(r.status)) return r;
      const message = (r.json as { error?: unknown } | null)?.error;
      if (typeof message !== 'string' || message === '') problems.push(`${kind} ${url}: ${r.status} without a JSON message`);
      const header = r.headers.get('retry-after');
      const retryAfter = header !== null && /^\d+$/.test(header) ? Number(header) : null;
      if (retryAfter === null) problems.push(`${kind} ${url}: ${r.status} without a Retry-After in seconds`);
      if (n >= MAX_ATTEMPTS) return r;
      await sleep(Math.min(MAX_WAIT_MS, (retryAfter ?? 1) * 1000));
    }
  }
  return { send, sent, problems };
}

function writeFile(file: string, ev: SimEvents, writer: (ev: SimEvents, emit: (s: string) => void) => void, gzip = false): void {
  const chunks: string[] = [];
  writer(ev, (c) => chunks.push(c));
  const text = Buffer.from(chunks.join(''));
  fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
}

describe('concurrency: 4 uploads, page loads and replays against one server', { timeout: 10 * 60_000 }, () => {
  const dir = tempDir('pritrace-concurrency-');
  const refDb = path.join(dir, 'reference.duckdb');
  const files: string[] = [];
  const lockFile = path.join(dir, 'lock.jsonl');
  const reference = new Map<string, TraceCounts>();
  let server: Server | null = null;

  before(async () => {
    assertBuilt();
    const outputs: [string, (ev: SimEvents, emit: (s: string) => void) => void, boolean][] = [
      ['one.trace', writeIntelFtrace, false],
      ['two.trace.gz', writeIntelFtrace, true],
      ['three.csv', writeSimCsv, false],
      ['four.jsonl', writeSimJsonl, false],
    ];
    for (const [i, [name, writer, gz]] of outputs.entries()) {
      const sim = simulate({ seed: 100 + i, groups: GROUPS, devicesPerIommu: 2, pasidsPerDevice: 4 });
      const file = path.join(dir, name);
      writeFile(file, sim.events, writer, gz);
      files.push(file);
    }
    // Big enough that the CLI holds the database for seconds while the server is asked for pages.
    writeFile(lockFile, simulate({ seed: 200, groups: 4 * GROUPS, devicesPerIommu: 2, pasidsPerDevice: 4 }).events, writeSimJsonl);
    // The reference: each file through a clean `pritrace ingest` into its own database.
    for (const file of [...files, lockFile]) {
      const r = await runCli(['ingest', file, '--db', refDb, '--json']);
      assert.equal(r.code, 0, r.stderr);
    }
    const db = await openDb(refDb);
    try {
      for (const t of (await storedTraces(db)).traces) reference.set(t.source_file, countsOf(t));
    } finally {
      db.close();
      await closeDbInstance(refDb);
    }
    assert.equal(reference.size, files.length + 1);
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every answer is 2xx or clean and retryable; every uploaded trace is whole', async (t) => {
    server = await startServer();
    const base = server.url;
    const seeded = await upload(base, path.join(TRACES_DIR, 'large-intel-v6.9.trace.gz'));
    assert.equal(seeded.status, 201, seeded.text);
    const id = (seeded.json as { trace_id: number }).trace_id;

    const { send, sent, problems } = client();

    const started = performance.now();
    let uploadsDone = false;
    const uploads = Promise.all(
      files.map(async (file, i) => {
        const job = `concurrent-${i}-${process.pid}`;
        let finished = false;
        // The job exists once the server has started reading the body; until then the poll is a
        // 404, which the upload panel ignores too.
        let seen = false;
        const poll = (async () => {
          while (!finished) {
            const kind = seen ? 'job poll' : 'job poll before the job starts';
            const r = await send(kind, () => request(`${base}/api/ingest-jobs/${job}`), '/api/ingest-jobs/<job>');
            seen ||= r.status === 200;
            await sleep(200);
          }
        })();
        try {
          return await send('upload', () => upload(base, file, { job }), `/api/traces?filename=${path.basename(file)}`);
        } finally {
          finished = true;
          await poll;
        }
      }),
    ).finally(() => (uploadsDone = true));

    const pages = [
      '/',
      `/traces/${id}`,
      `/traces/${id}/latency`,
      `/traces/${id}/scaling`,
      `/traces/${id}/replay`,
      `/traces/${id}/annotations`,
      `/traces/${id}/report`,
      '/compare',
      '/sql',
    ];
    const apis = ['/api/traces', `/api/traces/${id}/stats`, `/api/traces/${id}/replay`, `/api/traces/${id}/annotations`];
    const browse = async (offset: number) => {
      const all = [...pages, ...apis];
      // At least one full round, then on until the uploads are done.
      for (let i = 0; i < all.length || !uploadsDone; i++) {
        const p = all[(i + offset) % all.length]!;
        await send(p.startsWith('/api/') ? 'api' : 'page', () => request(base + p), p);
      }
    };
    const replay = (model: string) =>
      send(
        'replay',
        () => request(`${base}/api/traces/${id}/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model }) }),
        `/api/traces/${id}/replay`,
      );

    const [uploaded, , , perDevice, domainWide] = await Promise.all([uploads, browse(0), browse(5), replay('per-device'), replay('domain-wide')]);
    const seconds = (performance.now() - started) / 1000;

    assert.deepEqual(problems, [], 'every answer is clean');
    for (const r of [...uploaded, perDevice, domainWide]) assert.equal(r.status, 201, r.text);
    for (const s of sent) {
      const ok = (s.status >= 200 && s.status < 300) || (s.kind === 'job poll before the job starts' && s.status === 404);
      assert.ok(ok || (RETRYABLE.has(s.status) && s.attempts < MAX_ATTEMPTS), `${s.kind} ${s.url} answered ${s.status} (attempt ${s.attempts})`);
    }

    const log = fs.readFileSync(server.log, 'utf8');
    assert.doesNotMatch(log, LOCK_TEXT, 'no lock error in the server log');
    const dbPath = server.dbPath;
    await server.stop();
    server = null;

    // Afterwards, read in-process: every uploaded trace equals its clean CLI ingest.
    const db = await openDb(dbPath);
    try {
      const { traces, orphans } = await storedTraces(db);
      assert.deepEqual(orphans, { events: 0, fault_groups: 0 });
      const ids = new Set(uploaded.map((r) => (r.json as { trace_id: number }).trace_id));
      const mine = traces.filter((x) => ids.has(x.trace_id));
      assert.equal(mine.length, files.length);
      for (const x of mine) assert.deepEqual(countsOf(x), reference.get(x.source_file), `trace ${x.trace_id} (${x.source_file}) is not whole`);
      const [runs] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM replay_runs WHERE trace_id = $1', [id]);
      assert.equal(Number(runs!.n), 2, 'both replays are saved');
    } finally {
      db.close();
      await closeDbInstance(dbPath);
    }

    const byStatus = new Map<number, number>();
    for (const s of sent) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
    const kinds = [...new Set(sent.map((s) => s.kind))];
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1] ?? 0;
    t.diagnostic(
      `${sent.length} requests in ${seconds.toFixed(1)} s; statuses ${[...byStatus].map(([k, v]) => `${k}: ${v}`).join(', ')}; retries ${sent.filter((s) => s.attempts > 1).length}`,
    );
    for (const k of kinds) {
      const ms = sent.filter((s) => s.kind === k).map((s) => s.ms);
      t.diagnostic(`${k}: ${ms.length} requests, median ${Math.round(median([...ms]))} ms, max ${Math.round(Math.max(...ms))} ms`);
    }
    t.diagnostic(
      `uploads: ${uploaded.map((r, i) => `${path.basename(files[i]!)} ${(fs.statSync(files[i]!).size / 2 ** 20).toFixed(1)} MB ${(r.ms / 1000).toFixed(1)} s`).join('; ')}`,
    );
  });

  it('while a CLI ingest holds the database the server answers 503 + Retry-After, never a lock message, and recovers', async (t) => {
    // Ready on a static file, so the server has not opened the database when the CLI takes it.
    server = await startServer({ readyPath: '/icon.svg' });
    const { url: base, dbPath, uploadDir } = server;
    const file = lockFile;
    const cli = spawn(BIN, ['ingest', file, '--db', dbPath, '--json'], { env: { ...process.env, PRITRACE_DB: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    cli.stdout.setEncoding('utf8').on('data', (x: string) => (stdout += x));
    const exited = new Promise<number | null>((resolve) => cli.on('close', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    while (running && !holdsDatabase(cli.pid!, dbPath)) await sleep(10);
    assert.ok(running, 'the CLI took the database before it finished');

    const { send, sent, problems } = client();
    const pageStatuses = new Map<string, number>();
    const browse = async () => {
      while (running) {
        for (const p of ['/', '/sql']) {
          // Pages cannot answer 503 (App Router sets no status); they must not show the lock.
          const r = await request(base + p);
          if (LOCK_TEXT.test(r.text)) problems.push(`page ${p}: ${r.status} mentions a lock`);
          const outcome = `${p} ${r.status}${ERROR_VIEW.test(r.text) ? ' (error view)' : ''}`;
          pageStatuses.set(outcome, (pageStatuses.get(outcome) ?? 0) + 1);
        }
        await send('api', () => request(`${base}/api/traces`), '/api/traces');
      }
    };
    const [code, uploaded] = await Promise.all([
      exited,
      send('upload', () => upload(base, path.join(TRACES_DIR, 'intel-v6.9-trace.txt')), '/api/traces (upload)'),
      browse(),
    ]);
    assert.equal(code, 0, 'the CLI ingest succeeds');
    assert.deepEqual(problems, [], 'every answer is clean');
    assert.equal(uploaded.status, 201, uploaded.text);
    const busy = sent.filter((x) => x.status === 503);
    assert.ok(busy.length > 0, 'the server answered 503 while the CLI held the database');
    for (const x of sent) assert.ok(x.status === 503 || (x.status >= 200 && x.status < 300), `${x.kind} ${x.url} answered ${x.status}`);
    const busyUpload = sent.find((x) => x.kind === 'upload' && x.status === 503);
    assert.ok(busyUpload, 'the upload was refused while the CLI held the database, then retried');
    assert.deepEqual(uploadTempFiles(uploadDir), [], 'the refused upload left no temp file');

    // Afterwards the server has the database: the CLI's trace is whole, the upload too.
    const cliTrace = (JSON.parse(stdout) as { trace_id: number }).trace_id;
    const { traces, orphans } = await storedTracesViaServer(base);
    assert.deepEqual(orphans, { events: 0, fault_groups: 0 });
    assert.deepEqual(countsOf(traces.find((x) => x.trace_id === cliTrace)!), reference.get(path.basename(file)));
    assert.equal(traces.length, 2);
    const log = fs.readFileSync(server.log, 'utf8');
    await server.stop();
    server = null;

    const byStatus = new Map<number, number>();
    for (const x of sent) byStatus.set(x.status, (byStatus.get(x.status) ?? 0) + 1);
    t.diagnostic(
      `while the CLI held the database: ${sent.length} API/upload answers, ${[...byStatus].map(([k, v]) => `${k}: ${v}`).join(', ')}; pages ${[...pageStatuses].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    );
    t.diagnostic(`server log lines naming DatabaseBusyError: ${log.split('\n').filter((l) => l.includes('DatabaseBusyError')).length}`);
  });
});
