// The /sql console's guard against a real DuckDB holding an ingested trace: every refused
// class is refused (and nothing it names happens), a normal SELECT works, the row cap and the
// time limit hold.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { QueryError } from '../../lib/core/errors.ts';
import { ingestFile } from '../../lib/db/ingest.ts';
import type { Db } from '../../lib/db/instance.ts';
import { consoleTables, runConsoleQuery, SqlRefusedError, SqlTimeoutError, type RefusedClass } from '../../lib/db/sql-console.ts';
import { TRACES_DIR, tempDir, withTempDb } from '../helpers/temp-db.ts';

async function withTrace(fn: (db: Db, traceId: number, dir: string) => Promise<void>): Promise<void> {
  await withTempDb(async (db, dbPath) => {
    const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'intel-v6.9-trace.txt') });
    await fn(db, trace_id, path.dirname(dbPath));
  });
}

async function refusedAs(db: Db, sql: string, cls: RefusedClass): Promise<void> {
  await assert.rejects(
    runConsoleQuery(db, sql),
    (e: unknown) => {
      assert.ok(e instanceof SqlRefusedError, `${sql}: expected SqlRefusedError, got ${String(e)}`);
      assert.equal(e.refused, cls, `${sql}: ${e.message}`);
      assert.match(e.message, new RegExp(`refused \\(${cls}\\)`));
      return true;
    },
    sql,
  );
}

describe('sql console', () => {
  it('runs a normal SELECT over events and fault_groups', async () => {
    await withTrace(async (db, traceId) => {
      const r = await runConsoleQuery(
        db,
        `SELECT g.status, count(*) AS n, max(g.latency_ns) AS max_ns, min(e.ts_ns) AS first_ns
         FROM fault_groups g JOIN events e ON e.trace_id = g.trace_id AND e.line = g.first_line
         WHERE g.trace_id = ${traceId} GROUP BY g.status ORDER BY g.status`,
      );
      assert.deepEqual(r.columns.map((c) => c.name), ['status', 'n', 'max_ns', 'first_ns']);
      assert.equal(r.columns[1]!.type, 'BIGINT');
      assert.equal(r.truncated, false);
      const [expected] = await db.all<{ n: bigint }>("SELECT count(*) AS n FROM fault_groups WHERE status = 'answered'");
      const answered = r.rows.find((row) => row[0] === 'answered');
      assert.equal(answered?.[1], Number(expected!.n));
      assert.equal(typeof answered?.[2], 'number', 'BIGINT below 2^53 becomes a number');
    });
  });

  it('allows CTEs, window functions, catalog views, DESCRIBE and generators', async () => {
    await withTrace(async (db) => {
      for (const sql of [
        'WITH per AS (SELECT device, count(*) AS n FROM fault_groups GROUP BY device) SELECT * FROM per ORDER BY n DESC',
        'SELECT latency_ns, row_number() OVER (ORDER BY latency_ns) AS r, quantile_disc(latency_ns, 0.99) OVER () FROM fault_groups',
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'",
        "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'events'",
        'DESCRIBE events',
        'SHOW TABLES',
        'SELECT * FROM range(3)',
        `SELECT 9007199254740993::BIGINT AS big, '{"a": 1}'::JSON AS j, [1, 2] AS l, {'a': 1} AS s, now() AS t, '\\x01'::BLOB AS b`,
        'FROM events SELECT kind, count(*) GROUP BY ALL',
      ]) {
        const r = await runConsoleQuery(db, sql);
        assert.ok(r.rows.length > 0, sql);
      }
      const big = await runConsoleQuery(db, 'SELECT 9007199254740993::BIGINT AS big');
      assert.equal(big.rows[0]![0], '9007199254740993', 'integers beyond 2^53 stay exact as strings');
    });
  });

  it('refuses every class of statement that is not a plain read', async () => {
    await withTrace(async (db, _traceId, dir) => {
      const out = path.join(dir, 'leak.csv');
      // A database export whose schema.sql would create a table if it were ever imported.
      fs.mkdirSync(path.join(dir, 'exp'));
      fs.writeFileSync(path.join(dir, 'exp', 'schema.sql'), 'CREATE TABLE pwned (a INTEGER);\n');
      fs.writeFileSync(path.join(dir, 'exp', 'load.sql'), '');
      const cases: [string, RefusedClass][] = [
        ['INSERT INTO annotations VALUES (1, 1, NULL, NULL, NULL, NULL, \'a\', \'t\', now(), now())', 'write'],
        ["UPDATE traces SET name = 'x'", 'write'],
        ['DELETE FROM events', 'write'],
        ['CREATE TABLE x AS SELECT 1', 'write'],
        ['DROP TABLE events', 'write'],
        ['ALTER TABLE events ADD COLUMN z INT', 'write'],
        ['TRUNCATE events', 'write'],
        ['/* hidden */ DELETE FROM events', 'write'],
        ['WITH x AS (SELECT 1) DELETE FROM events', 'write'],
        ["SELECT nextval('trace_id_seq')", 'write'],
        [`COPY events TO '${out}'`, 'copy'],
        [`COPY (SELECT * FROM events) TO '${out}'`, 'copy'],
        ["COPY events FROM '/etc/passwd'", 'copy'],
        ["ATTACH ':memory:' AS other", 'attach'],
        ['DETACH other', 'attach'],
        ['USE memory', 'attach'],
        ['SELECT * FROM other.main.t', 'attach'],
        [`EXPORT DATABASE '${dir}/out'`, 'export'],
        [`IMPORT DATABASE '${dir}/exp'`, 'export'],
        [`PRAGMA import_database('${dir}/exp')`, 'configuration'],
        ["SELECT * FROM read_csv('/etc/passwd')", 'file-access'],
        ["SELECT * FROM read_text('/etc/passwd')", 'file-access'],
        ["SELECT * FROM read_blob('/etc/passwd')", 'file-access'],
        ["SELECT * FROM read_json('/etc/passwd')", 'file-access'],
        ["SELECT * FROM read_parquet('x.parquet')", 'file-access'],
        ["SELECT * FROM parquet_scan('x.parquet')", 'file-access'],
        ["SELECT * FROM glob('/etc/*')", 'file-access'],
        ["SELECT * FROM '/etc/passwd'", 'file-access'],
        ["SELECT * FROM 'data.csv'", 'file-access'],
        ["SELECT * FROM 'https://example.com/x.parquet'", 'file-access'],
        ["SELECT * FROM events WHERE line IN (SELECT 1 FROM read_csv('/etc/passwd'))", 'file-access'],
        ["DESCRIBE '/etc/passwd.csv'", 'file-access'],
        ["SELECT * FROM query('DELETE FROM events')", 'table-function'],
        ['SELECT * FROM duckdb_settings()', 'table-function'],
        ['SELECT * FROM duckdb_secrets()', 'table-function'],
        ['INSTALL httpfs', 'extension'],
        ['LOAD httpfs', 'extension'],
        ['FORCE INSTALL httpfs', 'extension'],
        ["SELECT 'a'::inet", 'extension'],
        ['SELECT st_point(1, 2)', 'extension'],
        ['SET threads = 1', 'configuration'],
        ['SET enable_external_access = true', 'configuration'],
        ['RESET threads', 'configuration'],
        ['PRAGMA version', 'configuration'],
        ["PRAGMA table_info('events')", 'configuration'],
        ["SELECT current_setting('home_directory')", 'configuration'],
        ['CALL pragma_version()', 'call'],
        ['EXPLAIN SELECT 1', 'not-a-select'],
        ['BEGIN TRANSACTION', 'not-a-select'],
        ['SHOW databases', 'not-a-select'],
        ['SELECT 1; SELECT 2', 'multiple-statements'],
        ['SELECT 1; DROP TABLE events', 'multiple-statements'],
        ['SELECT * FROM nosuch', 'table'],
        ['', 'empty'],
        ['  -- only a comment', 'empty'],
      ];
      for (const [sql, cls] of cases) await refusedAs(db, sql, cls);
      assert.equal(fs.existsSync(out), false, 'COPY wrote nothing');
      const [n] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM events');
      assert.ok(Number(n!.n) > 0, 'DELETE did nothing');
      const [names] = await db.all<{ n: bigint }>("SELECT count(*) AS n FROM traces WHERE name = 'x'");
      assert.equal(Number(names!.n), 0, 'UPDATE did nothing');
      const dbs = await db.all('SELECT database_name FROM duckdb_databases() WHERE database_name = $1', ['other']);
      assert.equal(dbs.length, 0, 'ATTACH did nothing');
      assert.equal((await db.all("SELECT 1 FROM duckdb_tables() WHERE table_name = 'pwned'")).length, 0, 'IMPORT did nothing');
      assert.equal(fs.existsSync(path.join(dir, 'out')), false, 'EXPORT wrote nothing');
    });
  });

  it('reports syntax errors as query errors, not refusals', async () => {
    await withTrace(async (db) => {
      await assert.rejects(runConsoleQuery(db, 'SELEC 1'), QueryError);
      await assert.rejects(runConsoleQuery(db, 'SELECT nosuchcolumn FROM events'), QueryError);
    });
  });

  it('caps rows', async () => {
    await withTrace(async (db) => {
      const capped = await runConsoleQuery(db, 'SELECT * FROM range(100000)', { maxRows: 2500 });
      assert.equal(capped.rows.length, 2500);
      assert.equal(capped.truncated, true);
      assert.equal(capped.max_rows, 2500);
      const exact = await runConsoleQuery(db, 'SELECT * FROM range(2500)', { maxRows: 2500 });
      assert.equal(exact.rows.length, 2500);
      assert.equal(exact.truncated, false);
      const cells = await runConsoleQuery(db, "SELECT repeat('x', 50) AS s", { maxCellChars: 10 });
      assert.equal(cells.rows[0]![0], `${'x'.repeat(10)}…`);
      assert.equal(cells.truncated_cells, 1);
    });
  });

  it('interrupts a statement that runs past the time limit, and the database stays usable', async () => {
    await withTrace(async (db) => {
      const started = performance.now();
      await assert.rejects(
        runConsoleQuery(db, 'SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1', { timeoutMs: 300 }),
        SqlTimeoutError,
      );
      assert.ok(performance.now() - started < 10_000, 'interrupted well before it could finish');
      const r = await runConsoleQuery(db, 'SELECT count(*) AS n FROM fault_groups');
      assert.ok(Number(r.rows[0]![0]) > 0);
    });
  });

  it('lists the tables it reads with their column comments', () => {
    const tables = consoleTables();
    const events = tables.find((t) => t.name === 'events');
    assert.ok(events);
    assert.ok(events.columns.find((c) => c.name === 'ts_ns')?.comment.includes('ns'));
    assert.ok(tables.some((t) => t.name === 'annotations'));
  });

  it('needs the database open in this process', async () => {
    const fake = { path: path.join(tempDir(), 'none.duckdb') } as Db;
    await assert.rejects(runConsoleQuery(fake, 'SELECT 1'), QueryError);
  });
});
