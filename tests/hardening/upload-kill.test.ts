// Crash safety of uploads: a real `next start` receives a large trace through POST /api/traces
// and its whole process group is SIGKILLed at a seeded random moment of the upload (while the
// body is received, queued, decoded, stored, paired or committed: the job's phase is polled
// through GET /api/ingest-jobs/<job> until the kill). Then a new server starts on the same
// database and upload directory, and it must: answer, hold every trace whole (stored events and
// groups by status equal a clean ingest of the same file) or absent, with no orphan rows; have
// removed the upload temp files the dead server left; and accept the next upload whole. Every
// stored copy of the big trace must also have the clean ingest's exact figures (GET .../stats).
// PRITRACE_UPLOAD_KILL_RUNS sets the number of kills (default 20; 6 when CI is set),
// PRITRACE_KILL_SEED the seed of the delays, PRITRACE_KILL_GROUPS the trace size. When a check
// fails, the database files as that kill left them are kept in a
// pritrace-upload-kill-failure-* directory under the system temp dir.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestFile } from '../../lib/services/ingest.ts';
import { closeDbInstance, openDb, type Db } from '../../lib/db/instance.ts';
import { traceStats, type TraceStats } from '../../lib/queries/trace-stats.ts';
import { simulate, writeIntelFtrace } from '../../lib/sim/index.ts';
import { startServer, type Server } from '../e2e/server.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';
import { seededRandom } from './support.ts';
import {
  assertBuilt,
  countsOf,
  request,
  sleep,
  storedTraces,
  storedTracesViaServer,
  upload,
  uploadTempFiles,
  type StoredTrace,
  type TraceCounts,
} from './server-support.ts';

const RUNS = Number(process.env.PRITRACE_UPLOAD_KILL_RUNS ?? (process.env.CI ? 6 : 20));
const SEED = Number(process.env.PRITRACE_KILL_SEED ?? 20_240_601);
const GROUPS = Number(process.env.PRITRACE_KILL_GROUPS ?? 60_000);
const PROBE = path.join(TRACES_DIR, 'intel-v6.9-trace.txt');
const BIG_NAME = 'upload-kill.trace';
const PROBE_NAME = 'probe.txt';

/** Where the kill landed: the job phase last seen, or `answered` when the upload finished first. */
type Landing = 'no-job-yet' | 'receive' | 'queued' | 'detect' | 'decode' | 'store' | 'pair' | 'commit' | 'done' | 'answered';

async function withDb<T>(dbPath: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(dbPath);
  try {
    return await fn(db);
  } finally {
    db.close();
    await closeDbInstance(dbPath);
  }
}

function snapshot(dbPath: string, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const base = path.basename(dbPath);
  for (const f of fs.readdirSync(path.dirname(dbPath))) {
    if (f.startsWith(base)) fs.cpSync(path.join(path.dirname(dbPath), f), path.join(dir, f), { recursive: true });
  }
}

describe('crash safety: SIGKILL of the server during an upload', { timeout: 20 * 60_000 }, () => {
  const dir = tempDir('pritrace-upload-kill-');
  const file = path.join(dir, BIG_NAME);
  const refDb = path.join(dir, 'reference.duckdb');
  const dbPath = path.join(dir, 'data', 'kill.duckdb');
  const uploads = path.join(dir, 'uploads');
  const snapshotDir = path.join(dir, 'snapshot');
  const reference = new Map<string, TraceCounts>();
  let referenceStats: Omit<TraceStats, 'trace_id' | 'name'>;
  let server: Server | null = null;

  before(async () => {
    assertBuilt();
    const sim = simulate({ seed: 11, groups: GROUPS, devicesPerIommu: 2, pasidsPerDevice: 8 });
    const fd = fs.openSync(file, 'w');
    try {
      writeIntelFtrace(sim.events, (chunk) => fs.writeSync(fd, chunk));
    } finally {
      fs.closeSync(fd);
    }
    // The clean reference: the same two files ingested in-process into their own database.
    await withDb(refDb, async (db) => {
      const big = await ingestFile(db, { file });
      await ingestFile(db, { file: PROBE, displayName: PROBE_NAME });
      for (const t of (await storedTraces(db)).traces) reference.set(t.source_file, countsOf(t));
      const { trace_id: _id, name: _name, ...stats } = await traceStats(db, big.trace_id);
      referenceStats = stats;
    });
    assert.equal(reference.get(BIG_NAME)?.events, sim.events.count, 'the clean ingest stores every simulated event');
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Every trace whole or absent, no orphans, read through the server; returns the stored traces. */
  async function checkThroughServer(s: Server, context: string): Promise<StoredTrace[]> {
    const { traces, orphans } = await storedTracesViaServer(s.url);
    assert.deepEqual(orphans, { events: 0, fault_groups: 0 }, `${context}: rows without their traces row`);
    for (const t of traces) {
      assert.deepEqual(countsOf(t), reference.get(t.source_file), `${context}: trace ${t.trace_id} (${t.source_file}) is not whole`);
      if (t.source_file !== BIG_NAME) continue;
      // Equal counts can hide groups paired differently: the figures (latency, span, …) must match too.
      const r = await request(`${s.url}/api/traces/${t.trace_id}/stats`);
      const { trace_id: _id, name: _name, ...stats } = r.json as TraceStats;
      assert.deepEqual(stats, JSON.parse(JSON.stringify(referenceStats)), `${context}: trace ${t.trace_id} figures differ from the clean ingest`);
    }
    return traces;
  }

  it(`survives ${RUNS} server kills during uploads; every trace whole or absent, temp files removed`, async (t) => {
    const started = performance.now();
    server = await startServer({ dbPath, uploadDir: uploads });
    const startMs: number[] = [];

    // A clean upload on the warm server, timed: the kill delays are drawn from its duration.
    const clean = await upload(server.url, file, { filename: BIG_NAME });
    assert.equal(clean.status, 201, clean.text);
    const cleanMs = clean.ms;
    let committed = (await checkThroughServer(server, 'clean upload')).filter((x) => x.source_file === BIG_NAME).length;
    assert.equal(committed, 1);

    const random = seededRandom(SEED);
    const landings = new Map<Landing, number>();
    const log: string[] = [];
    let leftBehind = 0;
    let killsWithLeftovers = 0;
    let killedAfterCommit = 0;

    for (let run = 1; run <= RUNS; run++) {
      const s: Server = server;
      const delayMs = Math.round(random() * cleanMs);
      const job = `kill-${run}-${SEED}`;
      let phase: Landing = 'no-job-yet';
      let answered: number | null = null;
      const pending = upload(s.url, file, { filename: BIG_NAME, job }).then(
        (r) => (answered = r.status),
        () => undefined, // the connection dies with the server
      );
      const deadline = performance.now() + delayMs;
      while (performance.now() < deadline && answered === null) {
        const r = await request(`${s.url}/api/ingest-jobs/${job}`).catch(() => null);
        if (r?.status === 200) phase = (r.json as { phase: Landing }).phase;
        await sleep(Math.min(20, Math.max(0, deadline - performance.now())));
      }
      const killed = answered === null;
      if (killed) await s.kill();
      else await s.stop();
      await pending;
      if (!killed) assert.equal(answered, 201, `run ${run}: an upload that was not killed must succeed`);
      const landing: Landing = killed ? phase : 'answered';

      const leftovers = uploadTempFiles(uploads);
      leftBehind += leftovers.length;
      if (leftovers.length > 0) killsWithLeftovers++;
      snapshot(dbPath, snapshotDir);

      const t0 = performance.now();
      server = await startServer({ dbPath, uploadDir: uploads });
      startMs.push(performance.now() - t0);
      try {
        assert.deepEqual(uploadTempFiles(uploads), [], `run ${run}: upload temp files left after the restart`);
        const traces = await checkThroughServer(server, `run ${run}`);
        const big = traces.filter((x) => x.source_file === BIG_NAME).length;
        const gained: number = big - committed;
        assert.ok(gained === 0 || gained === 1, `run ${run}: ${gained} new traces from one upload`);
        if (!killed) assert.equal(gained, 1, `run ${run}: the answered upload is stored`);
        if (killed && gained === 1) killedAfterCommit++;
        committed = big;
        // The next upload works and is whole.
        const probe = await upload(server.url, PROBE, { filename: PROBE_NAME });
        assert.equal(probe.status, 201, `run ${run}: upload after the restart: ${probe.text}`);
        const id = (probe.json as { trace_id: number }).trace_id;
        const stored = (await checkThroughServer(server, `run ${run} probe`)).find((x) => x.trace_id === id);
        assert.ok(stored, `run ${run}: the probe upload is listed`);
        log.push(`${delayMs}:${landing}${gained ? '+commit' : ''}`);
      } catch (e) {
        await server.stop();
        const kept = fs.mkdtempSync(path.join(os.tmpdir(), 'pritrace-upload-kill-failure-'));
        fs.cpSync(snapshotDir, kept, { recursive: true });
        fs.copyFileSync(s.log, path.join(kept, 'killed-server.log'));
        fs.copyFileSync(server.log, path.join(kept, 'restarted-server.log'));
        const where = `run ${run} of ${RUNS}, seed ${SEED}, kill at ${delayMs} ms of a ${Math.round(cleanMs)} ms clean upload, phase ${landing}`;
        throw new Error(`${where}: ${(e as Error).message.split('\n')[0]}; the database as the kill left it is kept in ${kept}`, { cause: e });
      }
      landings.set(landing, (landings.get(landing) ?? 0) + 1);
    }

    // After the loop: one more clean upload, then the whole database checked in-process, with
    // every figure of the big traces (latency percentiles, codes, devices, …) equal the reference.
    const last = await upload(server.url, file, { filename: BIG_NAME });
    assert.equal(last.status, 201, last.text);
    await server.stop();
    server = null;
    snapshot(dbPath, snapshotDir);
    await withDb(dbPath, async (db) => {
      const { traces, orphans } = await storedTraces(db);
      assert.deepEqual(orphans, { events: 0, fault_groups: 0 });
      const bigs = traces.filter((x) => x.source_file === BIG_NAME);
      assert.equal(bigs.length, committed + 1);
      for (const x of traces) assert.deepEqual(countsOf(x), reference.get(x.source_file), `trace ${x.trace_id} is not whole`);
      for (const x of bigs) {
        const { trace_id: _id, name: _name, ...stats } = await traceStats(db, x.trace_id);
        assert.deepEqual(stats, referenceStats, `trace ${x.trace_id}: figures differ from the clean ingest`);
      }
    }).catch((e: unknown) => {
      const kept = fs.mkdtempSync(path.join(os.tmpdir(), 'pritrace-upload-kill-failure-'));
      fs.cpSync(snapshotDir, kept, { recursive: true });
      throw new Error(`after the loop (seed ${SEED}): ${(e as Error).message.split('\n')[0]}; the database is kept in ${kept}`, { cause: e });
    });

    const midIngest = ['queued', 'detect', 'decode', 'store', 'pair', 'commit'].reduce((n, p) => n + (landings.get(p as Landing) ?? 0), 0);
    const sent = RUNS - (landings.get('answered') ?? 0);
    const seconds = (performance.now() - started) / 1000;
    const mb = (fs.statSync(file).size / 2 ** 20).toFixed(1);
    t.diagnostic(`clean upload ${(cleanMs / 1000).toFixed(2)} s for ${reference.get(BIG_NAME)!.events} events, ${mb} MB; seed ${SEED}`);
    t.diagnostic(
      `kills: ${RUNS} runs, ${sent} SIGKILLs; by phase ${[...landings].map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
        `${midIngest} mid-ingest (queued to commit); ${killedAfterCommit} after the commit (trace kept whole)`,
    );
    t.diagnostic(`upload temp files left by the kills: ${leftBehind} (after ${killsWithLeftovers} kills), all removed at restart`);
    t.diagnostic(
      `server restart to first answer: median ${Math.round(startMs.sort((a, b) => a - b)[startMs.length >> 1] ?? 0)} ms; loop ${seconds.toFixed(1)} s`,
    );
    t.diagnostic(`delays ms: ${log.join(' ')}`);
    if (sent >= 5) {
      assert.ok(midIngest > 0, 'with 5 or more kills, at least one must land mid-ingest');
      assert.ok(killsWithLeftovers > 0, 'the kills left temp files, so their removal was exercised');
    }
  });
});
