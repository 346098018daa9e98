// The server confines DuckDB to the directories it ingests from (instrumentation.ts calls
// restrictFileAccess at start-up). This file does the same in its own test process, then checks
// on a real database that ingest still reads an allowed file while SQL cannot read others,
// attach databases, or switch the guards back off.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestFile } from '../../lib/services/ingest.ts';
import { closeDbInstance, openDb, readableDirs, restrictFileAccess, type Db } from '../../lib/db/instance.ts';
import { runConsoleQuery } from '../../lib/services/sql-console.ts';
import { tempDir, TRACES_DIR } from '../helpers/temp-db.ts';

const root = tempDir('pritrace-access-');
const inbox = path.join(root, 'uploads');
const outside = path.join(root, 'elsewhere');
const dbPath = path.join(root, 'db', 'access.duckdb');
let db: Db;

before(async () => {
  fs.mkdirSync(inbox, { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  restrictFileAccess([inbox]);
  db = await openDb(dbPath);
});

after(async () => {
  db.close();
  await closeDbInstance(dbPath);
});

async function refusedByDuckDb(sql: string): Promise<string> {
  let caught: unknown;
  await db.all(sql).catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof Error, `${sql} ran`);
  return caught.message;
}

describe('server file access', () => {
  it('records the confinement with a trailing separator, so a sibling with a longer name is not inside', () => {
    assert.deepEqual(readableDirs(), [inbox + path.sep]);
    assert.throws(() => restrictFileAccess([outside]), /before the first database is opened/);
  });

  it('ingests a trace from the allowed directory', async () => {
    const file = path.join(inbox, 'upload.trace');
    fs.copyFileSync(path.join(TRACES_DIR, 'intel-v6.9-trace.txt'), file);
    const r = await ingestFile(db, { file, displayName: 'upload.trace' });
    assert.ok(r.events > 0);
    const [row] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM events WHERE trace_id = $1', [r.trace_id]);
    assert.equal(Number(row!.n), r.events);
  });

  it('refuses to ingest a file outside it, storing nothing', async () => {
    const file = path.join(outside, 'other.trace');
    fs.copyFileSync(path.join(TRACES_DIR, 'intel-v6.9-trace.txt'), file);
    const [before] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM traces');
    await assert.rejects(ingestFile(db, { file }), /disabled by configuration/);
    const [afterwards] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM traces');
    assert.equal(afterwards!.n, before!.n);
  });

  it('DuckDB itself refuses file readers, ATTACH and COPY outside the allowed directory', async () => {
    assert.match(await refusedByDuckDb("SELECT * FROM read_csv('/etc/passwd')"), /disabled by configuration/);
    assert.match(await refusedByDuckDb(`SELECT * FROM read_text('${inbox}/../elsewhere/other.trace')`), /disabled by configuration/);
    assert.match(await refusedByDuckDb(`ATTACH '${path.join(outside, 'x.duckdb')}' AS x`), /disabled by configuration/);
    assert.match(await refusedByDuckDb(`COPY traces TO '${path.join(outside, 'dump.csv')}'`), /disabled by configuration/);
    assert.equal(fs.existsSync(path.join(outside, 'dump.csv')), false);
  });

  it('the guards cannot be switched back off', async () => {
    for (const sql of ['SET enable_external_access = true', "SET allowed_directories = ['/']", 'SET lock_configuration = false', "SET memory_limit = '64GB'"]) {
      assert.match(await refusedByDuckDb(sql), /configuration has been locked/, sql);
    }
  });

  it('the SQL console still answers a normal query on the confined instance', async () => {
    const r = await runConsoleQuery(db, 'SELECT count(*) AS n FROM events');
    assert.equal(r.rows.length, 1);
    assert.ok(Number(r.rows[0]![0]) > 0);
  });
});
