// `pritrace report` and `pritrace export` as a user runs them: bin/pritrace in a child process
// against its own database file. Checks the files written, the one JSON document --json
// prints, and the one-line errors with their exit codes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { createAnnotation } from '../../lib/db/annotations.ts';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { expected } from '../fixtures/expected.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'pritrace');

function cli(args: string[], db: string) {
  const r = spawnSync(BIN, [...args, '--db', db], { encoding: 'utf8', env: { ...process.env, PRITRACE_DB: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(r: { code: number | null; stdout: string; stderr: string }): Record<string, unknown> {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('pritrace report / export', () => {
  const dir = tempDir();
  const db = path.join(dir, 'cli.duckdb');
  const out = (name: string) => path.join(dir, name);
  let groups = 0;
  let replayed = 0;

  before(async () => {
    assert.equal(cli(['ingest', path.join(TRACES_DIR, 'intel-v6.9-trace.txt'), '--name', 'v69'], db).code, 0);
    assert.equal(cli(['ingest', path.join(TRACES_DIR, 'sim-small.csv'), '--name', 'sim'], db).code, 0);
    assert.equal(cli(['replay', 'v69', '--model', 'per-device'], db).code, 0);
    assert.equal(cli(['replay', 'sim', '--model', 'domain-wide'], db).code, 0);
    const handle = await openDb(db);
    try {
      await createAnnotation(handle, { trace_id: 1, author: 'ana', text: '<script>alert(1)</script> p99 spike' });
      const [g] = await handle.all<{ n: bigint }>('SELECT count(*) AS n FROM fault_groups WHERE trace_id = 1');
      const [r] = await handle.all<{ n: bigint }>('SELECT count(*) AS n FROM replay_results WHERE run_id = 1');
      groups = Number(g!.n);
      replayed = Number(r!.n);
    } finally {
      handle.close();
      await closeDbInstance(db);
    }
  });

  it('report --format md writes the postmortem and describes it in one JSON document', () => {
    const doc = json(cli(['report', 'v69', '--format', 'md', '--out', out('r.md'), '--json'], db));
    assert.equal(doc.trace_id, 1);
    assert.equal(doc.format, 'md');
    assert.equal(doc.out, out('r.md'));
    assert.equal(doc.annotations, 1);
    assert.equal(doc.replay_runs, 1);
    assert.deepEqual(doc.latency_ns, { ...expected['intel-v6.9-trace.txt']!.latency_ns });
    const md = fs.readFileSync(out('r.md'), 'utf8');
    assert.equal(doc.bytes, Buffer.byteLength(md));
    const want = expected['intel-v6.9-trace.txt']!.latency_ns;
    assert.ok(md.includes(`| latency (response − last-page request) | ${want.p50} | ${want.p90} | ${want.p99} | ${want.p999} | ${want.max} |`));
    assert.ok(md.includes('&#60;script&#62;alert(1)&#60;/script&#62; p99 spike'));
    assert.ok(!md.includes('<script>'));
  });

  it('report takes html from --format or from the .html extension, and prints to stdout without --out', () => {
    const doc = json(cli(['report', '1', '--out', out('r.html'), '--json'], db));
    assert.equal(doc.format, 'html');
    const html = fs.readFileSync(out('r.html'), 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /https?:\/\/|<script/i);
    const stdout = cli(['report', 'v69', '--format', 'md'], db);
    assert.equal(stdout.code, 0, stdout.stderr);
    assert.match(stdout.stdout, /^# Postmortem: v69\n/);
  });

  it('export groups-csv writes one row per fault group', () => {
    const doc = json(cli(['export', 'v69', '--format', 'groups-csv', '--out', out('g.csv'), '--json'], db));
    assert.equal(doc.rows, groups);
    const lines = fs.readFileSync(out('g.csv'), 'utf8').split('\r\n').filter(Boolean);
    assert.equal(lines.length - 1, groups);
    assert.equal(fs.readdirSync(dir).filter((f) => f.includes('.partial-')).length, 0, 'no partial file left');
  });

  it('export chrome-json of a trace and of a replay run parse, with one slice per group', () => {
    const doc = json(cli(['export', 'v69', '--format', 'chrome-json', '--out', out('t.json'), '--json'], db));
    assert.equal(doc.slices, groups);
    const trace = JSON.parse(fs.readFileSync(out('t.json'), 'utf8')) as { traceEvents: { ph: string }[] };
    assert.equal(trace.traceEvents.filter((e) => e.ph === 'X').length, groups);

    const run = json(cli(['export', 'v69', '--format', 'chrome-json', '--run', '1', '--out', out('run.json'), '--json'], db));
    assert.equal(run.run_id, 1);
    assert.equal(run.slices, replayed);
    const replay = JSON.parse(fs.readFileSync(out('run.json'), 'utf8')) as { traceEvents: { ph: string }[] };
    assert.equal(replay.traceEvents.filter((e) => e.ph === 'X').length, replayed);
  });

  it('export <chart>-csv writes the chart data', () => {
    const doc = json(cli(['export', 'v69', '--format', 'histogram-csv', '--out', out('h.csv'), '--json'], db));
    const lines = fs.readFileSync(out('h.csv'), 'utf8').trim().split('\r\n');
    assert.equal(lines[0], 'lower_ns,upper_ns,groups');
    assert.equal(doc.rows, lines.length - 1);
    assert.equal(
      lines.slice(1).reduce((s, l) => s + Number(l.split(',')[2]), 0),
      expected['intel-v6.9-trace.txt']!.groups.answered,
    );
  });

  it('errors are one line on stderr with the documented exit codes', () => {
    const cases: [string[], number, RegExp][] = [
      [['export', 'v69', '--out', out('x')], 2, /missing --format/],
      [['export', 'v69', '--format', 'pdf', '--out', out('x')], 2, /--format must be one of/],
      [['export', 'v69', '--format', 'histogram-csv', '--run', '1', '--out', out('x')], 2, /--run applies to --format chrome-json and groups-csv only/],
      [['export', 'v69', '--format', 'chrome-json', '--run', 'abc', '--out', out('x')], 2, /--run must be a run id/],
      [['export', 'v69', '--format', 'groups-csv', '--json'], 2, /--json needs --out FILE/],
      [['report', 'v69', '--format', 'pdf'], 2, /--format must be md or html/],
      [['report'], 2, /missing TRACE/],
      [['report', 'nosuch', '--format', 'md'], 4, /no trace with id or name "nosuch"/],
      [['export', 'v69', '--format', 'chrome-json', '--run', '99', '--out', out('x')], 4, /no replay run 99/],
      [['export', 'v69', '--format', 'chrome-json', '--run', '2', '--out', out('x')], 4, /replay run 2 is not a run of trace 1/],
      [['export', 'v69', '--format', 'groups-csv', '--out', path.join(dir, 'no', 'such', 'dir', 'g.csv')], 1, /cannot write/],
    ];
    for (const [args, code, message] of cases) {
      const r = cli(args, db);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n')[0]!.startsWith('pritrace: '), true, r.stderr);
      assert.match(r.stderr, message);
    }
    assert.equal(fs.existsSync(out('x')), false, 'a refused export writes nothing');
  });
});
