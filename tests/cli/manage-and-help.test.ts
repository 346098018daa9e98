// The CLI's trace management and help, as a user runs them: `rename` and `rm` on a real
// database (rm leaves none of the trace's rows, checked by SQL afterwards), their errors and
// exit codes, and `--help` / `-h` on every verb `pritrace --help` lists — exit 0, the verb's
// usage on stdout, nothing else done (simulate --help no longer fails on a missing --out).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'pritrace');

function cli(args: string[], cwd?: string) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', cwd, env: { ...process.env, PRITRACE_DB: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pritrace rename, rm and --help', () => {
  const dir = tempDir();
  const db = path.join(dir, 'cli.duckdb');

  it('rename gives a trace a new name, refuses a taken or numeric one', () => {
    for (const f of ['intel-v6.9-trace.txt', 'sim-small.csv']) assert.equal(cli(['ingest', path.join(TRACES_DIR, f), '--db', db]).code, 0);
    const r = cli(['rename', 'intel-v6.9-trace.txt', 'lab box, run 3', '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { trace_id: 1, old_name: 'intel-v6.9-trace.txt', name: 'lab box, run 3' });
    const list = JSON.parse(cli(['list', '--db', db, '--json']).stdout) as { trace_id: number; name: string }[];
    assert.deepEqual(
      list.map((t) => t.name),
      ['lab box, run 3', 'sim-small.csv'],
    );
    const taken = cli(['rename', '2', 'lab box, run 3', '--db', db]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already the name of trace 1/);
    assert.equal(taken.stderr.trim().split('\n').length, 1);
    const digits = cli(['rename', '2', '17', '--db', db]);
    assert.equal(digits.code, 2);
    assert.match(digits.stderr, /only digits/);
    assert.equal(cli(['rename', 'nope', 'x', '--db', db]).code, 4);
    assert.equal(cli(['rename', '2', '--db', db]).code, 2, 'NEWNAME missing');
  });

  it('rm deletes the trace and every row stored with it', async () => {
    assert.equal(cli(['replay', '1', '--model', 'per-device', '--db', db, '--json']).code, 0);
    const r = cli(['rm', 'lab box, run 3', '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { trace_id: number; removed: Record<string, number> };
    assert.equal(doc.trace_id, 1);
    assert.ok(
      doc.removed.events! > 0 && doc.removed.fault_groups! > 0 && doc.removed.replay_runs === 1 && doc.removed.replay_results! > 0 && doc.removed.traces === 1,
      r.stdout,
    );
    assert.equal(cli(['rm', '1', '--db', db]).code, 4, 'gone');
    const d = await openDb(db);
    try {
      const tables = await d.all<{ t: string }>("SELECT DISTINCT table_name AS t FROM duckdb_columns() WHERE column_name = 'trace_id' AND NOT internal");
      for (const { t } of tables) {
        const [c] = await d.all<{ n: bigint }>(`SELECT count(*) AS n FROM "${t}" WHERE trace_id = 1`);
        assert.equal(Number(c!.n), 0, `${t} rows of trace 1`);
      }
      const [res] = await d.all<{ n: bigint }>('SELECT count(*) AS n FROM replay_results');
      assert.equal(Number(res!.n), 0, 'results of the deleted run');
      const [left] = await d.all<{ n: bigint }>('SELECT count(*) AS n FROM events WHERE trace_id = 2');
      assert.ok(Number(left!.n) > 0, 'the other trace keeps its events');
    } finally {
      d.close();
      await closeDbInstance(db);
    }
  });

  it('--help and -h on every verb: usage on stdout, exit 0, nothing run', () => {
    const top = cli(['--help']);
    assert.equal(top.code, 0);
    const verbs = [...top.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!);
    assert.deepEqual(verbs.sort(), [
      'export',
      'fleet',
      'ingest',
      'list',
      'publish',
      'rename',
      'replay',
      'report',
      'rm',
      'sensitivity',
      'simulate',
      'stats',
      'sweep',
      'whatif',
    ]);
    const cwd = tempDir();
    for (const verb of verbs) {
      for (const flag of ['--help', '-h']) {
        const r = cli([verb, flag], cwd);
        assert.equal(r.code, 0, `${verb} ${flag}: ${r.stderr}`);
        assert.equal(r.stderr, '');
        assert.match(r.stdout, new RegExp(`^${verb}: \\S`), `${verb} ${flag} describes itself`);
        assert.match(r.stdout, new RegExp(`\\nusage: pritrace ${verb}\\b`), `${verb} ${flag} prints its usage`);
        assert.match(r.stdout, /--db PATH/);
      }
    }
    assert.deepEqual(fs.readdirSync(cwd), [], 'no verb did anything (no database, no output file)');
    const withMistake = cli(['simulate', '--bogus', '--help'], cwd);
    assert.equal(withMistake.code, 0, 'help wins over an unknown option');
  });
});
