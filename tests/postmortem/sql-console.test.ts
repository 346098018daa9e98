// The /sql console's guard against a real DuckDB holding an ingested trace: every refused
// class is refused (and nothing it names happens), a normal SELECT works, the row, cell and
// result-size caps and the time limit hold, functions that blow up memory or time inside one
// call are refused or bounded, catalog views and CTE names are allowed only where they are
// safe, and the concurrency gate answers within the time limit.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { QueryError, type RefusedClass, SqlBusyError, SqlRefusedError, SqlTimeoutError } from '../../lib/core/errors.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import type { Db } from '../../lib/db/instance.ts';
import { Slots } from '../../lib/core/slots.ts';
import { consoleTables, runConsoleQuery } from '../../lib/services/sql-console.ts';
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
      assert.deepEqual(
        r.columns.map((c) => c.name),
        ['status', 'n', 'max_ns', 'first_ns'],
      );
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
        ["INSERT INTO annotations VALUES (1, 1, NULL, NULL, NULL, NULL, 'a', 't', now(), now())", 'write'],
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

  it('refuses calls whose time or size one call decides (issue 10: 20 s, 9 GB, 24 GB in one statement)', async () => {
    await withTrace(async (db) => {
      for (const [sql, cls] of [
        ["SELECT levenshtein(repeat('a', 80000), repeat('b', 80000))", 'function'],
        ['SELECT levenshtein(device, comm) FROM fault_groups', 'function'],
        ["SELECT damerau_levenshtein('a', 'b')", 'function'],
        ["SELECT jaro_winkler_similarity('a', 'b')", 'function'],
        ["SELECT editdist3('a', 'b')", 'function'],
        ['SELECT len(range(100000000))', 'size'],
        ['SELECT len(generate_series(1, 100000000))', 'size'],
        ['SELECT range(latency_ns) FROM fault_groups', 'size'],
        ['SELECT len(list_transform(range(1000), x -> range(1000)))', 'size'],
        ['SELECT list_reduce([1, 2, 3], (a, x) -> a || a)', 'size'],
        ["SELECT apply(['a'], x -> x || x)", 'size'],
        ["SELECT repeat('ab', 40000000)", 'size'],
        ["SELECT repeat('a', 4097)", 'size'],
        ['SELECT repeat(device, 16) FROM fault_groups', 'size'],
        ["SELECT repeat('a', latency_ns) FROM fault_groups", 'size'],
        ["SELECT lpad('a', 1000000000, 'b')", 'size'],
        ["SELECT rpad('a', 5000, 'b')", 'size'],
        ['SELECT list_resize([1], 100000000)', 'size'],
        ["SELECT printf('%0999999999d', 1)", 'size'],
        ["SELECT printf('%0*d', 999999999, 1)", 'size'],
        ["SELECT format('{:>99999}', 'x')", 'size'],
        ['SELECT format(device, 1) FROM fault_groups', 'size'],
        ["SELECT hex(hex(hex(hex('a'))))", 'size'],
        ['SELECT bin(hex(device)) FROM fault_groups', 'size'],
        ["SELECT replace(device, 'a', 'aaaaaaaaaaaaaaaaaaaaaaaa') FROM fault_groups", 'size'],
        ["SELECT regexp_replace(device, '', device, 'g') FROM fault_groups", 'size'],
        ['SELECT bar(1, 0, 2, 100000000)', 'size'],
      ] as const) {
        await refusedAs(db, sql, cls);
      }
    });
  });

  it('keeps the bounded forms of those functions', async () => {
    await withTrace(async (db) => {
      for (const [sql, expected] of [
        ["SELECT repeat('-', 8)", '--------'],
        ["SELECT lpad('7', 3, '0')", '007'],
        ["SELECT printf('%05d', 42)", '00042'],
        ["SELECT replace('a-b', '-', '::')", 'a::b'],
        ["SELECT hex(hex('A'))", '3431'],
        ['SELECT len(range(4096))', 4096],
        ['SELECT list_filter([1, 2, 3], x -> x > 1)::VARCHAR', '[2, 3]'],
        ['SELECT upper(device) = upper(device) FROM fault_groups LIMIT 1', true],
      ] as const) {
        const r = await runConsoleQuery(db, sql);
        assert.equal(r.rows[0]![0], expected, sql);
      }
    });
  });

  it('reads only the catalog views that describe tables, and CTE names only in their scope (issue 10 item 10)', async () => {
    await withTrace(async (db) => {
      for (const sql of [
        'SELECT * FROM pg_catalog.pg_settings',
        'SELECT * FROM pg_settings',
        'SELECT * FROM pg_catalog.pg_database',
        'SELECT * FROM pg_catalog.pg_prepared_statements',
        'SELECT * FROM information_schema.character_sets',
        // The CTE is defined in one subquery; the outer name is the real catalog object.
        'SELECT * FROM (WITH pragma_database_list AS (SELECT 1 AS x) SELECT x FROM pragma_database_list) a, pragma_database_list',
        // A non-recursive CTE's body sees the catalog, not itself; a later CTE is not visible earlier.
        'WITH duckdb_settings AS (SELECT * FROM duckdb_settings) SELECT * FROM duckdb_settings',
        'WITH a AS (SELECT * FROM duckdb_settings), duckdb_settings AS (SELECT 1) SELECT * FROM a',
      ]) {
        await refusedAs(db, sql, 'table');
      }
      for (const sql of [
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'events'",
        "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'events'",
        'WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 3), s AS (SELECT * FROM r) SELECT count(*) FROM s',
        'WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT (SELECT count(*) FROM b) FROM a',
      ]) {
        const r = await runConsoleQuery(db, sql);
        assert.equal(r.rows.length, 1, sql);
      }
    });
  });

  it('caps every cell, whatever its type, and the whole result; truncated_cells counts cells', async () => {
    await withTrace(async (db) => {
      // 1000 strings of 4000 characters: 4 MB in one cell, none of its strings over the cap.
      const list = await runConsoleQuery(db, "SELECT list(repeat('x', 4000)) AS l FROM range(1000)");
      const cell = list.rows[0]![0] as string[];
      assert.equal(list.truncated_cells, 1);
      assert.ok(JSON.stringify(cell).length < 10_100, `cell cut to ~10 000 characters, got ${JSON.stringify(cell).length}`);
      const keys = await runConsoleQuery(db, "SELECT MAP {repeat('k', 4000) || '1': 1, repeat('k', 4000) || '2': 2, repeat('k', 4000) || '3': 3} AS m");
      assert.equal(keys.truncated_cells, 1);
      assert.ok(JSON.stringify(keys.rows).length < 10_200);
      const blob = await runConsoleQuery(db, "SELECT repeat('ab', 2000)::BLOB AS b", { maxCellChars: 100 });
      assert.equal(blob.rows[0]![0], `${'6162'.repeat(25)}…`);
      assert.equal(blob.truncated_cells, 1);
      // Two cut cells in one row count two; an uncut cell none.
      const two = await runConsoleQuery(db, "SELECT repeat('a', 50), repeat('b', 50), 'c'", { maxCellChars: 10 });
      assert.equal(two.truncated_cells, 2);
      // 10 000 rows of 4000 characters would be 40 MB: the rows stop at the size cap.
      const big = await runConsoleQuery(db, "SELECT repeat('x', 4000) FROM range(10000)", { maxResultChars: 1_000_000 });
      assert.equal(big.truncated, true);
      assert.equal(big.truncated_by, 'size');
      assert.equal(big.rows.length, 250);
      const rows = await runConsoleQuery(db, 'SELECT * FROM range(20)', { maxRows: 5 });
      assert.equal(rows.truncated_by, 'rows');
    });
  });

  it('waits for a console slot within the time limit, then answers busy', async () => {
    await withTrace(async (db) => {
      const slots = new Slots('console statements', 1, 4);
      const hold = await slots.acquire(0);
      const started = performance.now();
      await assert.rejects(runConsoleQuery(db, 'SELECT 1', { slots, timeoutMs: 300 }), SqlBusyError);
      const waited = performance.now() - started;
      assert.ok(waited >= 290 && waited < 2_000, `waited ${waited} ms`);
      // A slot freed while waiting is taken at once.
      const queued = runConsoleQuery(db, 'SELECT 2', { slots, timeoutMs: 5_000 });
      setTimeout(hold, 50);
      assert.equal((await queued).rows[0]![0], 2);
      assert.equal(slots.inUse, 0, 'released once DuckDB returned');
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
