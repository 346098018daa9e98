// The CLI beside a running dashboard (issue 16 item 3): while `npm start` holds a database file,
// every verb that needs it is handed to the server (POST /api/cli) and prints the same JSON, the
// same error line and exit code, and writes the same files as against an identical database
// file opened directly. The two files start as byte copies; each verb runs on both in the same
// order, so ids and every figure must agree — only wall-clock fields (seconds, generated_at)
// and the output paths differ.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DatabaseBusyError } from '../../lib/core/errors.ts';
import { openDb } from '../../lib/db/instance.ts';
import { startServer, type Server } from '../e2e/server.ts';
import { assertBuilt, request } from '../hardening/server-support.ts';
import { runCli, type CliRun } from '../hardening/support.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';

const WALL_CLOCK = new Set(['seconds', 'generated_at', 'out']);

/** The JSON with wall-clock fields and output paths taken out, at any depth. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !WALL_CLOCK.has(k))
        .map(([k, v]) => [k, comparable(v)]),
    );
  }
  return value;
}

describe('pritrace beside npm start: every verb answers as it does on the file', { timeout: 15 * 60_000 }, () => {
  const dir = tempDir('pritrace-beside-');
  const direct = path.join(dir, 'direct', 'lab.duckdb');
  const served = path.join(dir, 'served', 'lab.duckdb');
  const servedLake = path.join(dir, 'served-lake');
  let server: Server | null = null;

  /** The same verb on both files: [direct, through the server]. */
  async function both(args: (db: string, side: 'direct' | 'served') => string[]): Promise<[CliRun, CliRun]> {
    const d = await runCli(args(direct, 'direct'));
    const s = await runCli(args(served, 'served'));
    return [d, s];
  }

  async function sameJson(args: (db: string, side: 'direct' | 'served') => string[]): Promise<unknown> {
    const [d, s] = await both(args);
    assert.equal(d.code, 0, `direct: ${d.stderr}`);
    assert.equal(s.code, 0, `served: ${s.stderr}`);
    assert.equal(s.stderr, d.stderr);
    const dj = JSON.parse(d.stdout) as unknown;
    assert.deepEqual(comparable(JSON.parse(s.stdout)), comparable(dj));
    return dj;
  }

  before(async () => {
    assertBuilt();
    fs.mkdirSync(path.dirname(direct), { recursive: true });
    fs.mkdirSync(path.dirname(served), { recursive: true });
    for (const f of ['intel-v6.9-trace.txt', 'sim-small.csv']) {
      const r = await runCli(['ingest', path.join(TRACES_DIR, f), '--db', direct]);
      assert.equal(r.code, 0, r.stderr);
    }
    // The CLI closed the file: a byte copy is the same database (and its WAL, if one was left).
    fs.copyFileSync(direct, served);
    if (fs.existsSync(`${direct}.wal`)) fs.copyFileSync(`${direct}.wal`, `${served}.wal`);
    server = await startServer({ via: 'npm-start', dbPath: served, env: { PRITRACE_LAKE: servedLake } });
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the server holds the served file: opening it directly is refused, the CLI hands over', async () => {
    assert.equal((JSON.parse(fs.readFileSync(`${served}.server.json`, 'utf8')) as { url: string }).url, server!.url);
    await assert.rejects(openDb(served), DatabaseBusyError);
    const r = await runCli(['list', '--db', served, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const viaApi = (await request(`${server!.url}/api/traces`)).json as { trace_id: number; name: string }[];
    assert.deepEqual(
      (JSON.parse(r.stdout) as { trace_id: number; name: string }[]).map((t) => [t.trace_id, t.name]),
      viaApi.map((t) => [t.trace_id, t.name]),
    );
  });

  it('list and stats (by id and by name)', async () => {
    const list = (await sameJson((db) => ['list', '--db', db, '--json'])) as unknown[];
    assert.equal(list.length, 2);
    const stats = (await sameJson((db) => ['stats', '1', '--db', db, '--json'])) as { groups: { total: number } };
    assert.ok(stats.groups.total > 0);
    await sameJson((db) => ['stats', 'sim-small.csv', '--db', db, '--json']);
  });

  it('replay saves the same run (same id, same figures) on both', async () => {
    const run = (await sameJson((db) => ['replay', '1', '--model', 'domain-wide', '--param', 'workers=2', '--seed', '7', '--db', db, '--json'])) as {
      run_id: number;
      latency_ns: { p99: { value: number } };
    };
    assert.equal(typeof run.latency_ns.p99.value, 'number');
    // The server's copy of the database has the run.
    const runs = (await request(`${server!.url}/api/traces/1/replay`)).json as { run_id: number }[];
    assert.ok(
      runs.some((r) => r.run_id === run.run_id),
      JSON.stringify(runs),
    );
  });

  it('whatif and sensitivity save the same runs and give the same answers', async () => {
    const w = (await sameJson((db) => ['whatif', '1', '--seed', '3', '--seeds', '3', '--db', db, '--json'])) as { verdict: string; difference: unknown };
    assert.ok(w.verdict.length > 0 && w.difference);
    const sens = (await sameJson((db) => ['sensitivity', '1', '--seeds', '2', '--db', db, '--json'])) as { rows: { param: string }[] };
    assert.ok(sens.rows.length > 0);
  });

  it('sweep gives the same points (one thread in the server, every core in the CLI)', async () => {
    const points = (await sameJson((db) => ['sweep', '1', '--max-groups', '300', '--db', db, '--json'])) as unknown[];
    assert.ok(points.length > 10);
  });

  it('report and export write the same files', async () => {
    const out = (side: string, name: string) => path.join(dir, side, name);
    const report = (await sameJson((db, side) => ['report', '1', '--format', 'md', '--out', out(side, 'report.md'), '--db', db, '--json'])) as {
      bytes: number;
    };
    const stamp = /generated \S+|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;
    const text = (side: string, name: string) => fs.readFileSync(out(side, name), 'utf8').replace(stamp, '<time>');
    assert.equal(text('served', 'report.md'), text('direct', 'report.md'));
    assert.equal(fs.statSync(out('served', 'report.md')).size, report.bytes);
    for (const [format, extra] of [
      ['groups-csv', []],
      ['chrome-json', ['--run', '1']],
      ['histogram-csv', []],
    ] as const) {
      const name = `export-${format}`;
      const doc = (await sameJson((db, side) => ['export', '1', '--format', format, ...extra, '--out', out(side, name), '--db', db, '--json'])) as {
        bytes: number;
      };
      assert.ok(doc.bytes > 0, format);
      assert.ok(fs.readFileSync(out('served', name)).equals(fs.readFileSync(out('direct', name))), `${format}: same bytes`);
    }
    // To stdout, the streamed export arrives whole.
    const [d, s] = await both((db) => ['export', '2', '--format', 'groups-csv', '--db', db]);
    assert.equal(s.code, 0, s.stderr);
    assert.ok(s.stdout.length > 1000);
    assert.equal(s.stdout, d.stdout);
  });

  it('errors: the same line on stderr and the same exit code', async () => {
    for (const args of [
      ['stats', 'no such trace'],
      ['replay', '1', '--model', 'per-device', '--param', 'nonsense=1'],
      ['export', '1', '--format', 'groups-csv', '--run', '999', '--out', '-'],
      ['rename', '1', '12345'],
    ]) {
      const [d, s] = await both((db) => [...args, '--db', db]);
      assert.notEqual(d.code, 0, args.join(' '));
      assert.equal(s.code, d.code, `${args.join(' ')}: ${s.stderr}`);
      assert.equal(s.stderr, d.stderr);
      assert.equal(s.stdout, d.stdout);
    }
  });

  it('publish into the server’s own lake; another lake is refused with a reason', async () => {
    const lake = (side: string) => (side === 'served' ? servedLake : path.join(dir, 'direct-lake'));
    await sameJson((db, side) => ['publish', '1', '--lake', lake(side), '--host', 'lab1', '--date', '2026-01-02', '--db', db, '--json']);
    const other = await runCli(['publish', '1', '--lake', path.join(dir, 'elsewhere'), '--db', served]);
    assert.equal(other.code, 3);
    assert.match(other.stderr, /publishes only into its own lake/);
    assert.equal(fs.existsSync(path.join(dir, 'elsewhere')), false);
  });

  it('rename and rm change the served database as they change the file', async () => {
    await sameJson((db) => ['rename', '2', 'csv run', '--db', db, '--json']);
    const removed = (await sameJson((db) => ['rm', 'csv run', '--db', db, '--json'])) as { removed: { traces: number } };
    assert.equal(removed.removed.traces, 1);
    const list = (await sameJson((db) => ['list', '--db', db, '--json'])) as { name: string }[];
    assert.deepEqual(
      list.map((t) => t.name),
      ['intel-v6.9-trace.txt'],
    );
    assert.equal(((await request(`${server!.url}/api/traces`)).json as unknown[]).length, 1);
  });

  it('once the server stops, the CLI opens the file itself again', async () => {
    await server!.stop();
    server = null;
    const r = await runCli(['list', '--db', served, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 1);
  });
});
