// Bad input never crashes and never half-stores: each case ends in a located error or in
// counted warnings, as the format rules say.

import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { TraceRejectedError } from '../../lib/core/errors.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { tempFile, withTempDb } from '../helpers/temp-db.ts';

const line = (i: number) =>
  ` irq/56-dmar0-pr-1042    [006] .....  5823.${String(100000 + i)}: prq_report: dmar0/0000:00:0a.0 seq# ${i}: rid=0x50 addr=0x559ef6f97 r---l pasid=0x2 index=0x1`;
const good = (n: number) => Array.from({ length: n }, (_, i) => line(i));

async function rejected(name: string, content: string | Buffer, pattern: RegExp): Promise<TraceRejectedError> {
  const file = tempFile(name, content);
  return withTempDb(async (db) => {
    let caught: unknown;
    await ingestFile(db, { file }).catch((e: unknown) => (caught = e));
    assert.ok(caught instanceof TraceRejectedError, `expected a rejection, got ${String(caught)}`);
    assert.match(caught.message, pattern);
    const [r] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM events');
    assert.equal(Number(r!.n), 0);
    return caught;
  });
}

async function accepted(name: string, content: string | Buffer) {
  const file = tempFile(name, content);
  return withTempDb((db) => ingestFile(db, { file }));
}

describe('bad input', () => {
  it('an empty file is refused as empty', async () => {
    await rejected('empty.txt', '', /empty file/);
  });

  it('a file of another format names the formats tried', async () => {
    await rejected(
      'notes.md',
      '# Notes\n\nThis is not a trace at all.\nNor is this.\n',
      /unrecognised format; tried: ftrace text.*simulator CSV.*simulator JSON Lines/,
    );
  });

  it('a binary file that is not a trace.dat names trace.dat among the formats tried', async () => {
    // An ELF header: binary, and its first bytes are not trace-cmd's magic.
    await rejected(
      'a.out',
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x0a]),
      /unrecognised format; tried: .*First line: .*\. Not a trace-cmd trace\.dat/,
    );
  });

  it('binary garbage is refused with its location', async () => {
    const bytes = Buffer.concat([Buffer.from(good(3).join('\n') + '\n'), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a]), Buffer.from(good(3).join('\n'))]);
    const e = await rejected('bin.txt', bytes, /1 of 7 lines are bad/);
    assert.equal(e.locations[0]!.location.line, 4);
    assert.match(e.locations[0]!.reason, /not UTF-8/);
  });

  it('truncated lines and bad hex are located by line and column', async () => {
    const lines = good(4);
    lines[1] = lines[1]!.slice(0, 90);
    lines[2] = lines[2]!.replace('rid=0x50', 'rid=0xq0');
    const e = await rejected('trunc.txt', lines.join('\n'), /2 of 4 lines are bad/);
    assert.deepEqual(
      e.locations.map((l) => [l.location.line, l.location.column]),
      [
        [2, 64],
        [3, 64],
      ],
    );
    assert.match(e.locations[0]!.reason, /malformed prq_report fields/);
  });

  it('unknown events are counted, never fatal', async () => {
    const r = await accepted('unknown.txt', [...good(2), ' bash-1 [000] ..... 5823.200000: sched_switch: prev_comm=bash'].join('\n'));
    assert.equal(r.other_events, 1);
    assert.equal(r.bad_lines, 0);
  });

  it('CRLF line ends decode like LF', async () => {
    const r = await accepted('crlf.txt', good(200).join('\r\n') + '\r\n');
    assert.equal(r.page_requests, 200);
    assert.equal(r.lines, 200);
  });

  it('line ends that switch to CRLF after the head lose no line, plain or gzip, and stay numbered', async () => {
    // Each line is ~130 bytes: 1000 LF lines put the first CRLF past the 64 KiB detection head.
    const text = good(1000).join('\n') + '\n' + good(300).join('\r\n') + '\r\nnot an event at all\r\n' + good(10).join('\r\n');
    for (const [name, body] of [
      ['late-crlf.txt', text],
      ['late-crlf.txt.gz', zlib.gzipSync(text)],
    ] as const) {
      const r = await accepted(name, body);
      assert.equal(r.page_requests, 1310, name);
      assert.equal(r.bad_lines, 1, name);
      assert.match(r.warnings[0]!, new RegExp(`${name.replace('.', '\\.')}:1301:1:`), name);
    }
  });

  it('a 10 MB line is one bad line; under the threshold the rest is kept', async () => {
    const r = await accepted('huge-line.txt', [...good(150), 'x'.repeat(10 * 1024 * 1024), ...good(150)].join('\n'));
    assert.equal(r.bad_lines, 1);
    assert.equal(r.page_requests, 300);
    assert.match(r.warnings[0]!, /huge-line\.txt:151:1: line longer than the limit/);
  });

  it('gzip input is read; a .gz name on plain text is refused', async () => {
    const r = await accepted('t.txt.gz', zlib.gzipSync(good(5).join('\n')));
    assert.equal(r.page_requests, 5);
    await rejected('fake.gz', good(5).join('\n'), /named \.gz but is not gzip/);
  });

  it('a simulator CSV with a bad field is located by line and column', async () => {
    const csv = [
      'ts_ns,kind,device,pasid,prgi,last,addr,perm,code',
      '10,page_request,0000:00:0a.0,1,2,1,0x1000,r,',
      '20,page_request,0000:00:0a.0,1,999,1,0x1000,r,',
    ].join('\n');
    const e = await rejected('bad.csv', csv, /1 of 2 lines are bad/);
    assert.deepEqual(e.locations[0]!.location, { file: 'bad.csv', line: 3, column: 32 });
    assert.match(e.locations[0]!.reason, /prgi: not a PRG index below 512/);
  });
});
