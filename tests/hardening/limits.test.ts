// Every ingest limit of lib/db/limits.ts, set through its environment variable, is enforced with a
// message that names the limit and its variable, in-process (ingestFile reads the environment) and
// through `bin/pritrace ingest` (one line on stderr, exit 1, nothing stored). Each limit is also
// checked at its boundary (exactly at the limit passes) and when raised above its default.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { TraceRejectedError } from '../../lib/core/errors.ts';
import { ingestFile, type IngestResult } from '../../lib/services/ingest.ts';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { tempDir, withTempDb } from '../helpers/temp-db.ts';
import { pool, rowCounts, runCli, withEnv, type CliRun, type RowCounts } from './support.ts';

const ftraceLine = (i: number, pad = '') =>
  ` irq/56-dmar0-pr-1042    [006] .....  5823.${String(100000 + i)}: prq_report: dmar0${pad}/0000:00:0a.0 seq# ${i}: rid=0x50 addr=0x559ef6f97 r---l pasid=0x2 index=0x${(i % 256).toString(16)}`;
const ftrace = (n: number) => Array.from({ length: n }, (_, i) => ftraceLine(i));
const CSV_HEADER = 'ts_ns,kind,device,pasid,prgi,last,addr,perm,code';
const csvRow = (i: number, device = '0000:00:0a.0') => `${1000 + i * 10},page_request,${device},1,${i % 256},1,0x1000,r,`;
const jsonRow = (i: number, device = '0000:00:0a.0') =>
  JSON.stringify({ ts_ns: String(1000 + i * 10), kind: 'page_request', device, pasid: 1, prgi: i % 256, last: 1, addr: '0x1000', perm: 'r' });

interface Scenario {
  id: string;
  file: string;
  content: () => Buffer;
  env: Record<string, string>;
  expect: { outcome: 'rejected'; message: RegExp } | { outcome: 'accepted'; events: number; bad_lines: number; warnings?: RegExp[] };
}

const LIMIT_LINE = 'line longer than the limit \\(PRITRACE_MAX_LINE_BYTES\\)';
const gzBody = Buffer.from(ftrace(40).join('\n') + '\n');
const csvGzBody = Buffer.from([CSV_HEADER, ...Array.from({ length: 40 }, (_, i) => csvRow(i))].join('\n') + '\n');
const longPad = '-'.repeat(120); // makes one line ~270 bytes where the others are ~150

const SCENARIOS: Scenario[] = [
  // PRITRACE_MAX_BAD_LINE_RATIO
  {
    id: 'bad-line ratio 0 rejects a single bad line, naming the variable',
    file: 'ratio-zero.trace',
    content: () => Buffer.from([...ftrace(299), 'one bad line'].join('\n')),
    env: { PRITRACE_MAX_BAD_LINE_RATIO: '0' },
    expect: { outcome: 'rejected', message: /1 of 300 lines are bad \(over the 0% threshold.*PRITRACE_MAX_BAD_LINE_RATIO/ },
  },
  {
    id: 'bad-line ratio 0.07 is printed as 7%',
    file: 'ratio-seven.trace',
    content: () => Buffer.from([...ftrace(20), 'bad', 'bad'].join('\n')),
    env: { PRITRACE_MAX_BAD_LINE_RATIO: '0.07' },
    expect: { outcome: 'rejected', message: /2 of 22 lines are bad \(over the 7% threshold/ },
  },
  {
    id: 'bad-line ratio 0.5 keeps a half-bad file (exactly at the limit)',
    file: 'ratio-half.trace',
    content: () => Buffer.from([...ftrace(100), ...Array.from({ length: 100 }, (_, i) => `garbage ${i}`)].join('\n')),
    env: { PRITRACE_MAX_BAD_LINE_RATIO: '0.5' },
    expect: { outcome: 'accepted', events: 100, bad_lines: 100 },
  },
  {
    id: 'a bad-line ratio that is not a number is refused, naming the variable',
    file: 'ratio-nan.trace',
    content: () => Buffer.from(ftrace(5).join('\n')),
    env: { PRITRACE_MAX_BAD_LINE_RATIO: 'one percent' },
    expect: { outcome: 'rejected', message: /PRITRACE_MAX_BAD_LINE_RATIO must be a non-negative number, got "one percent"/ },
  },
  // PRITRACE_MAX_LINE_BYTES
  {
    id: 'line limit 200: a 270-byte ftrace line is one located bad line',
    file: 'long-line.trace',
    content: () => Buffer.from([...ftrace(200), ftraceLine(200, longPad)].join('\n')),
    env: { PRITRACE_MAX_LINE_BYTES: '200' },
    expect: { outcome: 'accepted', events: 200, bad_lines: 1, warnings: [new RegExp(`^long-line\\.trace:201:1: ${LIMIT_LINE}`)] },
  },
  {
    id: 'line limit 200: a 300-byte JSON Lines record is one located bad line',
    file: 'long-line.jsonl',
    content: () => Buffer.from([...Array.from({ length: 200 }, (_, i) => jsonRow(i)), jsonRow(200, 'd'.repeat(150))].join('\n')),
    env: { PRITRACE_MAX_LINE_BYTES: '200' },
    expect: { outcome: 'accepted', events: 200, bad_lines: 1, warnings: [new RegExp(`^long-line\\.jsonl:201:1: ${LIMIT_LINE}`)] },
  },
  {
    id: 'line limit 100: a 250-byte CSV row is one located bad line',
    file: 'long-line.csv',
    content: () => Buffer.from([CSV_HEADER, ...Array.from({ length: 200 }, (_, i) => csvRow(i)), csvRow(200, 'd'.repeat(200))].join('\n')),
    env: { PRITRACE_MAX_LINE_BYTES: '100' },
    expect: { outcome: 'accepted', events: 200, bad_lines: 1, warnings: [new RegExp(`^long-line\\.csv:202:1: ${LIMIT_LINE}`)] },
  },
  {
    id: 'line limit raised to 64 MiB: ftrace still ingests',
    file: 'raised-line-limit.trace',
    content: () => Buffer.from(ftrace(20).join('\n')),
    env: { PRITRACE_MAX_LINE_BYTES: String(64 << 20) },
    expect: { outcome: 'accepted', events: 20, bad_lines: 0 },
  },
  // PRITRACE_MAX_DECOMPRESSED_BYTES
  {
    id: 'decompressed-size cap one byte under an ftrace .gz is refused, naming the variable',
    file: 'capped.trace.gz',
    content: () => zlib.gzipSync(gzBody),
    env: { PRITRACE_MAX_DECOMPRESSED_BYTES: String(gzBody.length - 1) },
    expect: { outcome: 'rejected', message: new RegExp(`decompresses to more than ${gzBody.length - 1} bytes \\(limit PRITRACE_MAX_DECOMPRESSED_BYTES\\)`) },
  },
  {
    id: 'decompressed-size cap equal to an ftrace .gz is enough',
    file: 'exact.trace.gz',
    content: () => zlib.gzipSync(gzBody),
    env: { PRITRACE_MAX_DECOMPRESSED_BYTES: String(gzBody.length) },
    expect: { outcome: 'accepted', events: 40, bad_lines: 0 },
  },
  {
    id: 'decompressed-size cap one byte under a simulator CSV .gz is refused',
    file: 'capped.csv.gz',
    content: () => zlib.gzipSync(csvGzBody),
    env: { PRITRACE_MAX_DECOMPRESSED_BYTES: String(csvGzBody.length - 1) },
    expect: { outcome: 'rejected', message: new RegExp(`decompresses to more than ${csvGzBody.length - 1} bytes \\(limit PRITRACE_MAX_DECOMPRESSED_BYTES\\)`) },
  },
  // PRITRACE_MAX_EVENTS
  {
    id: 'events limit one under the trace is refused, naming the variable',
    file: 'events-over.trace',
    content: () => Buffer.from(ftrace(50).join('\n')),
    env: { PRITRACE_MAX_EVENTS: '49' },
    expect: { outcome: 'rejected', message: /50 events exceed the limit of 49 \(PRITRACE_MAX_EVENTS\)/ },
  },
  {
    id: 'events limit equal to the trace is enough',
    file: 'events-exact.trace',
    content: () => Buffer.from(ftrace(50).join('\n')),
    env: { PRITRACE_MAX_EVENTS: '50' },
    expect: { outcome: 'accepted', events: 50, bad_lines: 0 },
  },
  {
    id: 'events limit applies to simulator JSON Lines too',
    file: 'events-over.jsonl',
    content: () => Buffer.from(Array.from({ length: 30 }, (_, i) => jsonRow(i)).join('\n')),
    env: { PRITRACE_MAX_EVENTS: '29' },
    expect: { outcome: 'rejected', message: /more than 29 events \(the next is on line 30\) exceed the limit of 29 \(PRITRACE_MAX_EVENTS\)/ },
  },
];

const dir = tempDir('pritrace-limits-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(s: Scenario, sub: string): string {
  const d = path.join(dir, sub, s.file.replace(/\W/g, '_'));
  fs.mkdirSync(d, { recursive: true });
  const file = path.join(d, s.file);
  fs.writeFileSync(file, s.content());
  return file;
}

function checkAccepted(r: IngestResult, e: Extract<Scenario['expect'], { outcome: 'accepted' }>, where: string): void {
  assert.deepEqual({ events: r.events, bad_lines: r.bad_lines }, { events: e.events, bad_lines: e.bad_lines }, where);
  for (const [i, w] of (e.warnings ?? []).entries()) assert.match(r.warnings[i] ?? '', w, `${where}: warning ${i}`);
}

describe('limits, set through their environment variables: ingestFile', () => {
  for (const s of SCENARIOS) {
    it(s.id, async () => {
      const file = write(s, 'lib');
      await withTempDb(async (db) => {
        let result: IngestResult | undefined;
        let error: unknown;
        await withEnv(s.env, async () => {
          try {
            result = await ingestFile(db, { file });
          } catch (e) {
            error = e;
          }
        });
        if (s.expect.outcome === 'rejected') {
          assert.ok(error instanceof Error, `expected a rejection, got ${JSON.stringify(result)}`);
          assert.match(error.message, s.expect.message);
          if (!/must be a non-negative number/.test(error.message)) {
            assert.ok(error instanceof TraceRejectedError, `a limit is a rejection of the file, got ${error.name}: ${error.message}`);
          }
          assert.deepEqual(await rowCounts(db), { traces: 0, events: 0, fault_groups: 0 });
        } else {
          assert.equal(error, undefined, `expected the file to be accepted, got ${String(error)}`);
          checkAccepted(result!, s.expect, 'ingestFile');
          assert.equal((await rowCounts(db)).events, s.expect.events);
        }
      });
    });
  }
});

describe('limits, set through their environment variables: bin/pritrace ingest', () => {
  const runs = new Map<string, { run: CliRun; rows: RowCounts | null }>();
  before(async () => {
    await pool(SCENARIOS, Number(process.env.PRITRACE_CLI_PARALLEL ?? 3), async (s) => {
      const file = write(s, 'cli');
      const db = path.join(path.dirname(file), 'cli.duckdb');
      const run = await runCli(['ingest', file, '--db', db, '--json'], { env: s.env });
      let rows: RowCounts | null = null;
      if (fs.existsSync(db)) {
        const handle = await openDb(db);
        try {
          rows = await rowCounts(handle);
        } finally {
          handle.close();
          await closeDbInstance(db);
        }
      }
      runs.set(s.id, { run, rows });
    });
  });

  for (const s of SCENARIOS) {
    it(s.id, () => {
      const { run, rows } = runs.get(s.id)!;
      if (s.expect.outcome === 'rejected') {
        assert.equal(run.code, 1, run.stderr);
        assert.equal(run.stderr.trimEnd().split('\n').length, 1, `one line on stderr, got:\n${run.stderr}`);
        assert.match(run.stderr, /^pritrace: /);
        assert.match(run.stderr, s.expect.message);
        if (rows) assert.deepEqual(rows, { traces: 0, events: 0, fault_groups: 0 });
      } else {
        assert.equal(run.code, 0, run.stderr);
        checkAccepted(JSON.parse(run.stdout) as IngestResult, s.expect, 'pritrace ingest');
        assert.equal(rows?.events, s.expect.events);
      }
    });
  }
});
