// docs/lake.md's queries are the lake's contract with other engines: run here exactly as the
// document prints them, over the lake registered as it says, they give the dashboard's figures.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { publishTrace } from '../../lib/db/lake/publish.ts';
import { fleetHosts, fleetSeries } from '../../lib/queries/fleet.ts';
import { tempDir } from '../helpers/temp-db.ts';
import { databaseWith, withLake } from './support.ts';

const DOC = fs.readFileSync(path.resolve(import.meta.dirname, '..', '..', 'docs', 'lake.md'), 'utf8');

function block(name: string): string {
  const m = new RegExp('```sql ' + name + '\\n([\\s\\S]*?)```').exec(DOC);
  assert.ok(m, `docs/lake.md has a sql block named ${name}`);
  return m[1]!;
}

function registration(lake: string): string[] {
  const m = /```sql\n(CREATE VIEW traces[\s\S]*?)```/.exec(DOC);
  assert.ok(m, 'docs/lake.md shows how to register the datasets');
  return m[1]!
    .trim()
    .split(';\n')
    .map((s) => s.replace(/;$/, '').replaceAll('LAKE/', `${lake}/`))
    .filter((s) => s.trim());
}

const plain = (rows: Record<string, unknown>[]) =>
  rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString().slice(0, 10) : v])),
  );

test('the documented fleet queries give the dashboard figures', async () => {
  const { dbPath, traceIds } = await databaseWith(['intel-v6.9-trace.txt', 'large-intel-v6.9.trace.gz', 'sim-small.csv']);
  const lake = tempDir('pritrace-lake-');
  const db = await openDb(dbPath);
  try {
    await publishTrace(db, traceIds[0]!, { lake, host: 'alpha', kernel: '6.9.0', date: '2026-12-01' });
    await publishTrace(db, traceIds[1]!, { lake, host: 'beta', kernel: '5.15.0', date: '2026-12-01' });
    await publishTrace(db, traceIds[2]!, { lake, host: 'alpha', kernel: '6.11.2', date: '2026-12-02' });
  } finally {
    db.close();
    await closeDbInstance(dbPath);
  }
  const scratch = path.join(tempDir(), 'plain.duckdb');
  const plainDb = await openDb(scratch);
  try {
    // A schema of its own, so the document's view names do not meet the database's tables.
    await plainDb.run('CREATE SCHEMA plain');
    await plainDb.run('USE plain');
    for (const sql of registration(lake)) await plainDb.run(sql);
    const hosts = plain(await plainDb.all(block('fleet-hosts')));
    const days = plain(await plainDb.all(block('per-host-era-day')));
    await withLake(lake, async (l) => {
      assert.deepEqual(hosts, await fleetHosts(l));
      assert.deepEqual(days, await fleetSeries(l));
    });
    assert.equal(hosts.length, 2);
    assert.deepEqual(
      days.map((d) => `${d.host} ${d.kernel_era} ${d.date}`),
      ['alpha v6.9 2026-12-01', 'beta v5.14 2026-12-01', 'alpha v6.11 2026-12-02'],
    );
  } finally {
    plainDb.close();
    await closeDbInstance(scratch);
  }
});
