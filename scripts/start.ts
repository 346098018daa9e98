// `npm start`: the dashboard on a fresh machine in one command. Builds the app if no build
// exists or a source changed after it (scripts/build-freshness.ts), ingests the bundled large
// sample when the database has no traces yet, then runs `next start` on 127.0.0.1 (HOST/PORT
// to change) and records the server next to the database so that the CLI hands its commands to
// it while it holds the database lock. It supervises the server: one that dies is logged on
// stderr and started again.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { closeDbInstance, LAKE_DB_PREFIX, openDb } from '../lib/db/instance.ts';
import { ingestFile } from '../lib/services/ingest.ts';
import { resolveDbPath } from '../lib/db/path.ts';
import { forgetServer, recordServer } from '../lib/services/server-handoff.ts';
import { listTraces } from '../lib/queries/traces.ts';
import { buildState } from './build-freshness.ts';
import { LARGE_SAMPLE } from './make-large-sample.ts';

const root = path.resolve(import.meta.dirname, '..');
const nextBin = path.join(root, 'node_modules', '.bin', 'next');
const host = process.env.HOST ?? '127.0.0.1';
const port = process.env.PORT ?? '3000';
const dbPath = resolveDbPath();
// PRITRACE_LAKE_ONLY: the dashboard serves a Parquet lake read-only; nothing to seed, no lock to hand over.
const servesLake = dbPath.startsWith(LAKE_DB_PREFIX);

async function seedDatabase(): Promise<void> {
  const db = await openDb(dbPath);
  try {
    if ((await listTraces(db)).length > 0) return;
    process.stdout.write(`first start: ingesting the bundled sample ${path.relative(root, LARGE_SAMPLE)} into ${dbPath}\n`);
    const r = await ingestFile(db, { file: LARGE_SAMPLE, name: 'sample: Intel v6.9 (simulated)' });
    process.stdout.write(`  trace ${r.trace_id}: ${r.events} events, ${r.groups.total} groups in ${r.seconds.toFixed(1)} s\n`);
  } finally {
    db.close();
    await closeDbInstance(dbPath);
  }
}

const build = buildState(root);
if (build.kind !== 'fresh') {
  process.stdout.write(build.kind === 'missing' ? 'no build yet: running next build\n' : `${build.file} changed after the last build: running next build\n`);
  const b = spawnSync(nextBin, ['build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
if (!servesLake) await seedDatabase();

const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
/** A server that lived this long was not crash-looping: the restart delay starts over. */
const STABLE_MS = 60_000;
const MAX_DELAY_MS = 30_000;
let server: ChildProcess;
let stopping: NodeJS.Signals | null = null;
let restarts = 0;
let delayMs = 1_000;

function log(line: string): void {
  process.stderr.write(`[pritrace start ${new Date().toISOString()}] ${line}\n`);
}

/**
 * Runs `next start` and keeps it running: when the server dies (a crash, the kernel's OOM
 * killer, a stray kill) it is logged and started again on the same address and database,
 * after a delay that doubles while it keeps dying young.
 */
function run(): void {
  const startedAt = Date.now();
  server = spawn(nextBin, ['start', '-H', host, '-p', port], {
    cwd: root,
    stdio: 'inherit',
    env: servesLake ? process.env : { ...process.env, PRITRACE_DB: dbPath },
  });
  if (!servesLake) recordServer(dbPath, { url, pid: server.pid! });
  server.on('exit', (code, signal) => {
    if (stopping) {
      if (!servesLake) forgetServer(dbPath);
      process.exit(code ?? 0);
    }
    const lived = Date.now() - startedAt;
    if (lived >= STABLE_MS) delayMs = 1_000;
    restarts++;
    log(
      `server pid ${server.pid} died (${signal ? `signal ${signal}` : `exit code ${code}`}) after ${(lived / 1000).toFixed(1)} s; restart ${restarts} in ${(delayMs / 1000).toFixed(0)} s`,
    );
    if (!servesLake) forgetServer(dbPath);
    setTimeout(run, delayMs);
    delayMs = Math.min(MAX_DELAY_MS, delayMs * 2);
  });
}

run();
process.stdout.write(`PRI Trace Lab on ${url} (${servesLake ? `lake ${dbPath.slice(LAKE_DB_PREFIX.length)}, read-only` : `database ${dbPath}`})\n`);

const stop = (signal: NodeJS.Signals) => {
  stopping = signal;
  // Between a death and its restart there is no server to stop.
  if (server.exitCode !== null || server.signalCode !== null) {
    if (!servesLake) forgetServer(dbPath);
    process.exit(0);
  }
  server.kill(signal);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
