// The streamed path of pairing: the collector's slices sorted and spilled, merged back into
// (time, line) order a few rows at a time, and the walk's groups let go as they settle. Tiny
// slice and read sizes force many slices, reads and heap moves on a few events; the orders
// expected are worked out by hand, or by sorting the events as written with Array.sort.
// Every pairing rule is checked end to end in tests/db/pairing.test.ts.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ingestFile } from '../../lib/services/ingest.ts';
import { openSpillFile } from '../../lib/services/spill-file.ts';
import { packKey, PairingWalk, PAIR_LAST, PAIR_RESPONSE, type PairingEvents } from '../../lib/trace/pairing.ts';
import { GROUP_STATUSES, type TraceEvent } from '../../lib/trace/schema.ts';
import { drain, newCollector } from '../helpers/collected.ts';
import { tempDir, tempFile, withTempDb } from '../helpers/temp-db.ts';
import { PAGE_REQUEST } from '../helpers/trace-events.ts';

/** A first page on (PASID 3, PRG index prgi), at line and ts. */
const request = (line: number, ts: number, prgi = 7): TraceEvent => ({ ...PAGE_REQUEST, line, tsNs: BigInt(ts), prgi, last: false });

describe('page events read back from the spill file', () => {
  it('merges many small slices, each out of order, into (time, line) order', () => {
    // (line, ts): (1, 50) (2, 10) (3, 40) | (4, 10) (5, 30) (6, 20) | (7, 5) (8, 60), slices of 3.
    // By (ts, line): (7, 5) (2, 10) (4, 10) (6, 20) (5, 30) (3, 40) (1, 50) (8, 60).
    const c = newCollector({ sliceRows: 3, readRows: 2 });
    const written: [number, number][] = [
      [1, 50],
      [2, 10],
      [3, 40],
      [4, 10],
      [5, 30],
      [6, 20],
      [7, 5],
      [8, 60],
    ];
    for (const [line, ts] of written) c.addEvent(request(line, ts));
    const { events } = drain(c);
    assert.deepEqual([...events.line], [7, 2, 4, 6, 5, 3, 1, 8]);
    assert.deepEqual(
      Array.from({ length: events.n }, (_, i) => events.ts[2 * i]),
      [5, 10, 10, 20, 30, 40, 50, 60],
    );
  });

  it('gives the order Array.sort gives, over times past 2^32 ns, ties and slices that overlap', () => {
    // 3 000 events at a base past 2^32 ns, each up to 40 µs off a rising clock (so slices
    // overlap), every fifth time equal to the one before; lines are the written order.
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const written: { line: number; ts: bigint; prgi: number; kind: TraceEvent['kind'] }[] = [];
    for (let i = 0; i < 3000; i++) {
      const ts = i % 5 === 4 ? written[i - 1]!.ts : 5_000_000_000n + BigInt(1000 * i + Math.floor(random() * 40_000));
      written.push({ line: i + 1, ts, prgi: Math.floor(random() * 4), kind: random() < 0.3 ? 'page_response' : 'page_request' });
    }
    const expected = [...written].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.line - b.line));
    for (const [sliceRows, readRows] of [
      [7, 5],
      [64, 3],
      [1 << 16, 1 << 12],
    ] as const) {
      const c = newCollector({ sliceRows, readRows });
      for (const w of written) c.addEvent({ ...PAGE_REQUEST, line: w.line, tsNs: w.ts, prgi: w.prgi, kind: w.kind, last: w.kind === 'page_request' });
      const { events } = drain(c);
      assert.deepEqual(
        [...events.line],
        expected.map((w) => w.line),
        `slices of ${sliceRows}, read ${readRows} at a time`,
      );
      const ts = (i: number) => BigInt(events.ts[2 * i]! >>> 0) + (BigInt(events.ts[2 * i + 1]!) << 32n);
      assert.deepEqual(
        Array.from({ length: events.n }, (_, i) => ts(i)),
        expected.map((w) => w.ts),
      );
      assert.deepEqual(
        [...events.key],
        expected.map((w) => packKey(3, w.prgi)),
      );
      assert.deepEqual(
        [...events.flags],
        expected.map((w) => (w.kind === 'page_response' ? PAIR_RESPONSE : PAIR_LAST)),
      );
    }
  });
});

/** Events on one key (PASID 1, prgi), lines 1, 2, … in the order given, which is (time, line) order. */
function walk(list: { ts: number; prgi: number; flags: number }[], blockRows?: number) {
  const n = list.length;
  const ev: PairingEvents = { n, dk: new Int32Array(n), key: new Int32Array(n), ts: new Int32Array(2 * n), line: new Uint32Array(n), flags: new Uint8Array(n) };
  list.forEach((e, i) => {
    ev.key[i] = packKey(1, e.prgi);
    ev.ts[2 * i] = e.ts;
    ev.line[i] = i + 1;
    ev.flags[i] = e.flags;
  });
  const w = new PairingWalk(blockRows);
  w.add({ events: ev, code: new Int8Array(n) });
  const taken = w.take();
  const { blocks, exactBelow } = w.end();
  const rows = [...taken, ...blocks].flatMap((g) =>
    Array.from({ length: g.rows }, (_, r) => ({ status: GROUP_STATUSES[g.status[r]!], placed: g.placed[r]!, firstLine: g.firstLine[r]! })),
  );
  return { rows, exactBelow, blocks: taken.length + blocks.length };
}

describe('groups let go by the walk', () => {
  it('ranks the groups one event places and bounds where incomplete groups may fall', () => {
    // prgi 1 opens at ts 10 with no placed group before (since 0) and never completes; prgi 2
    // completes at ts 20 (rank 0) and is answered at ts 30. Rank 0 may sort after the
    // incomplete group, so exactBelow is 0.
    const a = walk([
      { ts: 10, prgi: 1, flags: 0 },
      { ts: 20, prgi: 2, flags: PAIR_LAST },
      { ts: 30, prgi: 2, flags: PAIR_RESPONSE },
    ]);
    assert.deepEqual(a.rows, [
      { status: 'answered', placed: 0, firstLine: 2 },
      { status: 'incomplete', placed: -1, firstLine: 1 },
    ]);
    assert.equal(a.exactBelow, 0);
    // The same, but prgi 2 completes (ts 10, rank 0) before prgi 1 opens at ts 20: rank 0 is
    // before every incomplete group, and the orphan response at ts 30 takes rank 1.
    const b = walk([
      { ts: 10, prgi: 2, flags: PAIR_LAST },
      { ts: 20, prgi: 1, flags: 0 },
      { ts: 30, prgi: 3, flags: PAIR_RESPONSE },
    ]);
    assert.deepEqual(b.rows, [
      { status: 'orphan_response', placed: 1, firstLine: 0 },
      { status: 'unanswered', placed: 0, firstLine: 1 },
      { status: 'incomplete', placed: -1, firstLine: 2 },
    ]);
    assert.equal(b.exactBelow, 1);
  });

  it('hands out full blocks of groups as they fill, and reuses the slots of groups gone', () => {
    // 10 groups on one key, each completed and answered before the next opens: blocks of 4
    // rows give 4 + 4 + 2.
    const list = Array.from({ length: 10 }, (_, i) => [
      { ts: 10 * i, prgi: 1, flags: PAIR_LAST },
      { ts: 10 * i + 5, prgi: 1, flags: PAIR_RESPONSE },
    ]).flat();
    const { rows, blocks, exactBelow } = walk(list, 4);
    assert.equal(blocks, 3);
    assert.deepEqual(
      rows.map((r) => [r.status, r.placed]),
      Array.from({ length: 10 }, (_, i) => ['answered', i]),
    );
    assert.equal(exactBelow, 10);
  });
});

/** Paths of this process's open descriptors that are spill files. */
const openSpills = () =>
  fs
    .readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((p) => p.includes('.pritrace-spill-'));

describe('the spill file', () => {
  it('is gone from its directory as soon as it is made, reads back what was written, and is freed on close', () => {
    const dir = tempDir('pritrace-spill-');
    const spill = openSpillFile(dir);
    const before = openSpills().length;
    const a = spill.append(new Uint16Array([1, 2, 65535]));
    const b = spill.append(new Int32Array([-7]));
    assert.deepEqual([a, b], [0, 6]);
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(openSpills().length, before + 1);
    const back = new Uint8Array(10);
    spill.read(back, 0);
    assert.deepEqual([...new Uint16Array(back.buffer, 0, 3)], [1, 2, 65535]);
    assert.equal(new DataView(back.buffer).getInt32(6, true), -7);
    spill.close();
    assert.equal(openSpills().length, before);
  });

  it('is closed after an ingest, stored or rejected, and leaves nothing beside the database', async () => {
    const before = openSpills().length;
    const line = (i: number, fields = 'rid=0x50') =>
      ` irq/56-dmar0-pr-1042    [006] .....  5823.${String(100000 + i)}: prq_report: dmar0/0000:00:0a.0 seq# ${i}: ${fields} addr=0x559ef6f97 r---l pasid=0x2 index=0x1`;
    const good = tempFile('spill.txt', Array.from({ length: 4 }, (_, i) => line(i)).join('\n') + '\n');
    // Half the lines bad: rejected after the decoded batch's page events went to the spill file.
    const bad = tempFile('spill-bad.txt', Array.from({ length: 4 }, (_, i) => line(i, i % 2 ? 'rid=0xq0' : 'rid=0x50')).join('\n') + '\n');
    await withTempDb(async (db, dbPath) => {
      assert.equal((await ingestFile(db, { file: good })).groups.unanswered, 4);
      await assert.rejects(ingestFile(db, { file: bad }), /2 of 4 lines are bad/);
      assert.equal(openSpills().length, before);
      assert.deepEqual(
        fs.readdirSync(path.dirname(dbPath)).filter((f) => !f.startsWith(path.basename(dbPath))),
        [],
      );
    });
  });
});
