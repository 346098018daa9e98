// Crash safety: `bin/pritrace ingest` is killed with SIGKILL at seeded random moments spread
// over a measured clean ingest, again and again on the same database file. After every kill the
// database must open, every trace in it must be whole (its events, groups and latency figures
// equal a clean ingest of the same file) or absent, no events/fault_groups row may lack its
// traces row, and the next ingest must work. Each kill is classified by where it landed:
// before the child opened the database, mid-ingest (database open, trace not committed),
// after the commit, or never sent because the child had already exited.
// PRITRACE_KILL_RUNS sets the number of kills (default 20; 8 when CI is set),
// PRITRACE_KILL_SEED the seed of the delays, PRITRACE_KILL_WINDOW (e.g. 0.8-1.1) the part of
// the clean run they are drawn from (default 0-1, the whole run). When a check fails, the database files as that kill
// left them are kept in a pritrace-kill-failure-* directory under the system temp dir.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestFile } from '../../lib/services/ingest.ts';
import { closeDbInstance, openDb, type Db } from '../../lib/db/instance.ts';
import { traceStats, type TraceStats } from '../../lib/queries/trace-stats.ts';
import { simulate, writeIntelFtrace } from '../../lib/sim/index.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';
import { BIN, holdsDatabase, orphanRows, ROOT, runCli, seededRandom } from './support.ts';

const RUNS = Number(process.env.PRITRACE_KILL_RUNS ?? (process.env.CI ? 8 : 20));
const SEED = Number(process.env.PRITRACE_KILL_SEED ?? 20_240_601);
/** Groups in the generated trace: ~23 MB of Intel ftrace text, a few seconds of ingest on 2 cores. */
const GROUPS = Number(process.env.PRITRACE_KILL_GROUPS ?? 60_000);
const PROBE = path.join(TRACES_DIR, 'intel-v6.9-trace.txt');
/** Part of the clean run's duration the delays are drawn from, as fractions "lo-hi" (default the whole run). */
const WINDOW = (process.env.PRITRACE_KILL_WINDOW ?? '0-1').split('-').map(Number) as [number, number];

type Landing = 'before-open' | 'mid-ingest' | 'after-commit' | 'exited-first';

/** What a whole trace looks like: stats without its id/name, plus the rows actually stored. */
interface Figures {
  stats: Omit<TraceStats, 'trace_id' | 'name'>;
  rows: { events: number; groups: number; groups_by_status: Record<string, number> };
  recorded_events: number;
}

async function figures(db: Db, traceId: number): Promise<Figures> {
  const { trace_id: _id, name: _name, ...stats } = await traceStats(db, traceId);
  const [e] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM events WHERE trace_id = $1', [traceId]);
  const byStatus = await db.all<{ status: string; n: bigint }>(
    'SELECT status, count(*) AS n FROM fault_groups WHERE trace_id = $1 GROUP BY status ORDER BY status',
    [traceId],
  );
  const [t] = await db.all<{ events: bigint }>('SELECT events FROM traces WHERE trace_id = $1', [traceId]);
  const groups_by_status = Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)]));
  return {
    stats,
    rows: { events: Number(e!.n), groups: Object.values(groups_by_status).reduce((a, b) => a + b, 0), groups_by_status },
    recorded_events: Number(t!.events),
  };
}

/** Copies the database file and its WAL / temp files, as they are now, into dir (emptied first). */
function snapshot(dbPath: string, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const base = path.basename(dbPath);
  for (const f of fs.readdirSync(path.dirname(dbPath))) {
    if (f.startsWith(base)) fs.cpSync(path.join(path.dirname(dbPath), f), path.join(dir, f), { recursive: true });
  }
}

async function withDb<T>(dbPath: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(dbPath);
  try {
    return await fn(db);
  } finally {
    db.close();
    await closeDbInstance(dbPath);
  }
}

interface KillOutcome {
  landing: Landing;
  delayMs: number;
  exitCode: number | null;
}

/** Starts `pritrace ingest`, SIGKILLs it after delayMs unless it exited first. */
function ingestAndKill(file: string, dbPath: string, delayMs: number): Promise<{ sent: boolean; held: boolean; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['ingest', file, '--db', dbPath, '--json'], {
      cwd: ROOT,
      env: { ...process.env, PRITRACE_DB: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    let exited = false;
    let sent = false;
    let held = false;
    const timer = setTimeout(() => {
      if (exited || child.pid === undefined) return;
      held = holdsDatabase(child.pid, dbPath);
      sent = child.kill('SIGKILL');
    }, delayMs);
    child.on('error', reject);
    child.on('exit', () => (exited = true));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ sent, held, code, stderr });
    });
  });
}

describe('crash safety: SIGKILL during pritrace ingest', { timeout: 15 * 60_000 }, () => {
  const dir = tempDir('pritrace-kill-');
  const file = path.join(dir, 'kill.trace');
  const refDb = path.join(dir, 'reference.duckdb');
  const killDb = path.join(dir, 'kill.duckdb');
  const snapshotDir = path.join(dir, 'snapshot');
  let reference: Figures;
  let probeReference: Figures;
  let cleanMs = 0;

  before(async () => {
    assert.ok(WINDOW.length === 2 && WINDOW.every(Number.isFinite) && WINDOW[0] >= 0 && WINDOW[1] > WINDOW[0], 'PRITRACE_KILL_WINDOW is "lo-hi"');
    const sim = simulate({ seed: 7, groups: GROUPS, devicesPerIommu: 2, pasidsPerDevice: 8 });
    const fd = fs.openSync(file, 'w');
    try {
      writeIntelFtrace(sim.events, (chunk) => fs.writeSync(fd, chunk));
    } finally {
      fs.closeSync(fd);
    }
    // The clean reference: one uninterrupted CLI ingest into its own database, timed.
    const t0 = performance.now();
    const clean = await runCli(['ingest', file, '--db', refDb, '--json']);
    cleanMs = performance.now() - t0;
    assert.equal(clean.code, 0, clean.stderr);
    const id = (JSON.parse(clean.stdout) as { trace_id: number }).trace_id;
    ({ reference, probeReference } = await withDb(refDb, async (db) => {
      const r = await ingestFile(db, { file: PROBE, name: 'probe' });
      return { reference: await figures(db, id), probeReference: await figures(db, r.trace_id) };
    }));
    assert.equal(reference.rows.events, sim.events.count, 'the clean ingest stores every simulated event');
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Every trace whole or absent, no orphan rows; returns how many big traces are stored. */
  async function checkDatabase(db: Db, context: string): Promise<number> {
    const orphans = await orphanRows(db);
    assert.deepEqual(orphans, { events: 0, fault_groups: 0 }, `${context}: rows without their traces row`);
    const traces = await db.all<{ trace_id: number; name: string; source_file: string }>('SELECT trace_id, name, source_file FROM traces ORDER BY trace_id');
    let big = 0;
    for (const t of traces) {
      const want = t.source_file === 'kill.trace' ? reference : probeReference;
      if (want === reference) big++;
      assert.deepEqual(await figures(db, t.trace_id), want, `${context}: trace ${t.trace_id} "${t.name}" is not whole`);
    }
    return big;
  }

  it(`survives ${RUNS} kills at random points and keeps every trace whole or absent`, async (t) => {
    const random = seededRandom(SEED);
    const landings: Record<Landing, number> = { 'before-open': 0, 'mid-ingest': 0, 'after-commit': 0, 'exited-first': 0 };
    const outcomes: KillOutcome[] = [];
    let committed = 0;
    const started = performance.now();

    for (let run = 1; run <= RUNS; run++) {
      const delayMs = Math.round((WINDOW[0] + random() * (WINDOW[1] - WINDOW[0])) * cleanMs);
      const r = await ingestAndKill(file, killDb, delayMs);
      if (!r.sent) assert.equal(r.code, 0, `run ${run}: an ingest that was not killed must succeed: ${r.stderr}`);

      // The database files exactly as the kill left them, kept if anything below fails.
      snapshot(killDb, snapshotDir);
      let big: number;
      try {
        big = await withDb(killDb, async (db) => {
          const stored = await checkDatabase(db, `run ${run} (kill at ${delayMs} ms)`);
          // The next ingest works: a small file goes in and is whole.
          const probe = await ingestFile(db, { file: PROBE, name: `probe-${run}` });
          assert.deepEqual(await figures(db, probe.trace_id), probeReference, `run ${run}: ingest after the kill`);
          return stored;
        });
      } catch (e) {
        const kept = fs.mkdtempSync(path.join(os.tmpdir(), 'pritrace-kill-failure-'));
        fs.cpSync(snapshotDir, kept, { recursive: true });
        const where = `run ${run} of ${RUNS}, seed ${SEED}, kill at ${delayMs} ms of a ${Math.round(cleanMs)} ms clean run, child held the database: ${r.held}`;
        throw new Error(`${where}: ${(e as Error).message.split('\n')[0]}; the database as the kill left it is kept in ${kept}`, { cause: e });
      }
      const gained = big - committed;
      assert.ok(gained === 0 || gained === 1, `run ${run}: ${gained} new traces from one ingest`);
      committed = big;
      const landing: Landing = !r.sent ? 'exited-first' : gained === 1 ? 'after-commit' : r.held ? 'mid-ingest' : 'before-open';
      landings[landing]++;
      outcomes.push({ landing, delayMs, exitCode: r.code });
    }

    // After all the kills, a full uninterrupted CLI ingest still works and is whole.
    const last = await runCli(['ingest', file, '--db', killDb, '--json']);
    assert.equal(last.code, 0, last.stderr);
    await withDb(killDb, async (db) => {
      assert.equal(await checkDatabase(db, 'after the final ingest'), committed + 1);
    });

    const seconds = (performance.now() - started) / 1000;
    const mb = (f: string) => (fs.statSync(f).size / 2 ** 20).toFixed(1);
    t.diagnostic(
      `clean ingest (spawn to exit) ${(cleanMs / 1000).toFixed(2)} s for ${reference.rows.events} events, ${mb(file)} MB; seed ${SEED}, window ${WINDOW.join('-')}`,
    );
    t.diagnostic(
      `kills: ${RUNS} runs, ${RUNS - landings['exited-first']} SIGKILLs sent; mid-ingest ${landings['mid-ingest']}, ` +
        `before the database was opened ${landings['before-open']}, after the commit ${landings['after-commit']}, ` +
        `child exited before its kill ${landings['exited-first']}; loop ${seconds.toFixed(1)} s`,
    );
    t.diagnostic(`delays ms: ${outcomes.map((o) => `${o.delayMs}:${o.landing}`).join(' ')}`);
    const copies = committed + 1;
    t.diagnostic(
      `database files: after the kills ${mb(killDb)} MB holding the trace ${copies} time${copies === 1 ? '' : 's'}; reference ${mb(refDb)} MB holding it once`,
    );
    if (WINDOW[0] === 0 && WINDOW[1] === 1) {
      assert.ok(landings['mid-ingest'] > 0 || RUNS < 5, 'with 5 or more runs over the whole duration, at least one kill must land mid-ingest');
    }
  });
});
