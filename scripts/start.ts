// `npm start`: the dashboard on a fresh machine in one command. Builds the app if no build
// exists, ingests the bundled large sample when the database has no traces yet, then runs
// `next start` on 127.0.0.1 (HOST/PORT to change) and records the server next to the database
// so that `pritrace ingest` hands files to it while it holds the database lock.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { closeDbInstance, LAKE_DB_PREFIX, openDb } from '../lib/db/instance.ts';
import { ingestFile } from '../lib/db/ingest.ts';
import { resolveDbPath } from '../lib/db/path.ts';
import { forgetServer, recordServer } from '../lib/db/server-handoff.ts';
import { listTraces } from '../lib/queries/traces.ts';
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

if (!fs.existsSync(path.join(root, '.next', 'BUILD_ID'))) {
  process.stdout.write('no build yet: running next build\n');
  const b = spawnSync(nextBin, ['build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
if (!servesLake) await seedDatabase();

const server = spawn(nextBin, ['start', '-H', host, '-p', port], {
  cwd: root,
  stdio: 'inherit',
  env: servesLake ? process.env : { ...process.env, PRITRACE_DB: dbPath },
});
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
if (!servesLake) recordServer(dbPath, { url, pid: server.pid! });
process.stdout.write(`PRI Trace Lab on ${url} (${servesLake ? `lake ${dbPath.slice(LAKE_DB_PREFIX.length)}, read-only` : `database ${dbPath}`})\n`);

const stop = (signal: NodeJS.Signals) => {
  server.kill(signal);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => {
  if (!servesLake) forgetServer(dbPath);
  process.exit(code ?? 0);
});
