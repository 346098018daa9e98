// The import boundaries hold because lint fails on each kind of crossing: every probe below is
// linted as if it were a file at that path, with the project's own eslint.config.js.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { ESLint } from 'eslint';
// @ts-expect-error -- plain ESM module without type declarations (eslint loads it as JS)
import { DUCKDB_EXCEPTIONS, EXCEPTIONS } from '../../scripts/lint/layers.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let eslint: ESLint;
before(() => {
  eslint = new ESLint({ cwd: ROOT });
});

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  return result!.messages.filter((m) => m.ruleId === 'layers/imports').map((m) => m.message);
}

describe('lint fails on a boundary crossing', () => {
  test('lib/replay importing @duckdb/node-api', async () => {
    const errs = await layerErrors('lib/replay/probe.ts', "import { DuckDBInstance } from '@duckdb/node-api';\nexport const x = DuckDBInstance;\n");
    assert.deepEqual(errs, ['@duckdb/node-api: only lib/db opens DuckDB']);
  });

  test('lib/replay importing node:fs (the engine is pure)', async () => {
    const errs = await layerErrors('lib/replay/probe.ts', "import fs from 'node:fs';\nexport const x = fs;\n");
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /lib\/replay is pure/);
  });

  test('lib/core importing anything of ours', async () => {
    const errs = await layerErrors('lib/core/probe.ts', "import { EVENT_KINDS } from '../trace/schema.ts';\nexport const x = EVENT_KINDS;\n");
    assert.deepEqual(errs, ['../trace/schema.ts: lib/core may not import lib/trace (allowed: nothing of ours)']);
  });

  test('a lower layer importing a higher one', async () => {
    const errs = await layerErrors('lib/trace/probe.ts', "import { openDb } from '../db/instance.ts';\nexport const x = openDb;\n");
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /lib\/trace may not import lib\/db/);
  });

  test('a query importing a service', async () => {
    const errs = await layerErrors('lib/queries/probe.ts', "import { startJob } from '../services/ingest-jobs.ts';\nexport const x = startJob;\n");
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^\.\.\/services\/ingest-jobs\.ts: lib\/queries may not import lib\/services/);
  });

  test('a service other than the listed SQL console opening DuckDB', async () => {
    const code = "import { DuckDBInstance } from '@duckdb/node-api';\nexport const x = DuckDBInstance;\n";
    assert.deepEqual(await layerErrors('lib/services/probe.ts', code), ['@duckdb/node-api: only lib/db opens DuckDB']);
    assert.deepEqual(await layerErrors('lib/services/sql-console.ts', code), []);
  });

  test('the store importing a service (an edge pointing back up)', async () => {
    const errs = await layerErrors('lib/db/probe.ts', "import { ingestFile } from '../services/ingest.ts';\nexport const x = ingestFile;\n");
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /lib\/db may not import lib\/services/);
  });

  test('lib importing app or React', async () => {
    const errs = await layerErrors(
      'lib/queries/probe.ts',
      "import { withDb } from '@/app/_data/db.ts';\nimport { useState } from 'react';\nexport const x = [withDb, useState];\n",
    );
    assert.deepEqual(errs, ['@/app/_data/db.ts: lib/ never imports from app/', 'react: lib/ stays free of UI and Next.js']);
  });

  test('a client component importing server code', async () => {
    const code =
      "'use client';\nimport { openDb } from '@/lib/db/instance.ts';\nimport { withDb } from '../../_data/db.ts';\nexport const x = [openDb, withDb];\n";
    const errs = await layerErrors('app/_components/charts/probe.tsx', code);
    assert.equal(errs.length, 2);
    assert.match(errs[0]!, /client component cannot import server code \(lib\/db\/instance\.ts\)/);
    assert.match(errs[1]!, /client component cannot import server code \(app\/_data\/db\.ts\)/);
  });
});

describe('lint allows the edges the table allows', () => {
  test('lib/replay importing lib/core, a client component importing only types from a query', async () => {
    assert.deepEqual(
      await layerErrors('lib/replay/probe.ts', "import { ReplayConfigError } from '../core/errors.ts';\nexport const x = ReplayConfigError;\n"),
      [],
    );
    const client = "'use client';\nimport type { CdfPoint } from '@/lib/queries/charts/latency-cdf.ts';\nexport type X = CdfPoint;\n";
    assert.deepEqual(await layerErrors('app/_components/charts/probe.tsx', client), []);
  });

  test('the same server import is fine outside a client component', async () => {
    assert.deepEqual(await layerErrors('app/_components/charts/probe.tsx', "import { openDb } from '@/lib/db/instance.ts';\nexport const x = openDb;\n"), []);
  });
});

test('every listed exception is an import that exists today (a mended one must leave the list)', () => {
  for (const e of EXCEPTIONS as { from: string; to: string }[]) {
    const src = fs.readFileSync(path.join(ROOT, e.from), 'utf8');
    const imported = [...src.matchAll(/from '([^']+)'/g)].map((m) => path.relative(ROOT, path.resolve(ROOT, path.dirname(e.from), m[1]!)));
    assert.ok(imported.includes(e.to), `${e.from} no longer imports ${e.to}`);
  }
});

test('every file listed as opening DuckDB outside lib/db does open it (a mended one must leave the list)', () => {
  for (const file of DUCKDB_EXCEPTIONS as string[]) {
    assert.match(fs.readFileSync(path.join(ROOT, file), 'utf8'), /from '@duckdb\/node-api'/, file);
  }
});
