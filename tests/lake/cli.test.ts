// The lake verbs of the CLI: `pritrace ingest` publishes when PRITRACE_LAKE is set, `publish`
// places a trace under --host/--kernel/--date, `fleet --json` prints the per-host figures of
// the lake's queries, and the errors exit with their codes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fleetHosts } from '../../lib/queries/fleet.ts';
import { tempDir, TRACES_DIR } from '../helpers/temp-db.ts';
import { withLake } from './support.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'pritrace');

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, PRITRACE_DB: '', PRITRACE_LAKE: '', ...env } });
}

test('ingest with PRITRACE_LAKE publishes; publish places; fleet prints the lake figures', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'cli.duckdb');
  const lake = path.join(dir, 'lake');
  const ing = cli(['ingest', path.join(TRACES_DIR, 'intel-v6.9-trace.txt'), '--db', db, '--json'], { PRITRACE_LAKE: lake });
  assert.equal(ing.status, 0, ing.stderr);
  const ingested = JSON.parse(ing.stdout) as { trace_id: number; lake: { trace: number; host: string } };
  assert.equal(ingested.lake.host, 'unknown');

  const big = cli(['ingest', path.join(TRACES_DIR, 'large-intel-v6.9.trace.gz'), '--db', db, '--json']);
  assert.equal(big.status, 0, big.stderr);
  assert.equal((JSON.parse(big.stdout) as { lake?: unknown }).lake, undefined, 'no lake, no publish');
  const pub = cli([
    'publish',
    String((JSON.parse(big.stdout) as { trace_id: number }).trace_id),
    '--db',
    db,
    '--lake',
    lake,
    '--host',
    'rack 7/b',
    '--kernel',
    '6.6.30',
    '--date',
    '2026-12-03',
    '--json',
  ]);
  assert.equal(pub.status, 0, pub.stderr);
  const published = JSON.parse(pub.stdout) as { host: string; date: string; kernel_era: string; rows: { fault_groups: number } };
  assert.deepEqual([published.host, published.date, published.kernel_era, published.rows.fault_groups], ['rack_7_b', '2026-12-03', 'v6.6', 120000]);
  assert.ok(fs.existsSync(path.join(lake, 'v1', 'fault_groups', 'host=rack_7_b', 'date=2026-12-03')));

  const fleet = cli(['fleet', '--lake', lake, '--json']);
  assert.equal(fleet.status, 0, fleet.stderr);
  const doc = JSON.parse(fleet.stdout) as { hosts: unknown[] };
  assert.deepEqual(doc.hosts, await withLake(lake, fleetHosts));
  assert.deepEqual(
    (doc.hosts as { host: string }[]).map((h) => h.host),
    ['rack_7_b', 'unknown'],
  );
});

test('lake errors: no lake is a usage error, a newer schema and a bad date are refused', () => {
  assert.equal(cli(['fleet', '--json']).status, 2);
  const newer = tempDir();
  fs.mkdirSync(path.join(newer, 'v3'));
  const r = cli(['fleet', '--lake', newer]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /lake schema v3 is newer than this PRI Trace Lab reads \(v1\)/);
  const d = cli(['publish', '1', '--lake', newer, '--date', '12/03/2026', '--db', path.join(tempDir(), 'x.duckdb')]);
  assert.equal(d.status, 2);
  assert.match(d.stderr, /--date 12\/03\/2026: expected YYYY-MM-DD/);
});
