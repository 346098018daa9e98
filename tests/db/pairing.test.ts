// Pairing by hand: small simulator traces whose groups, latencies and statuses are worked out
// on paper (DESIGN §4a), each through the real ingest into a real DuckDB file.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestFile } from '../../lib/services/ingest.ts';
import { tempFile, withTempDb } from '../helpers/temp-db.ts';

const HEADER = 'ts_ns,kind,device,pasid,prgi,last,addr,perm,code';
const req = (ts: number, prgi: number, last: 0 | 1, perm = 'r', pasid = 1) => `${ts},page_request,0000:00:0a.0,${pasid},${prgi},${last},0x1000,${perm},`;
const resp = (ts: number, prgi: number, code = 0, pasid = 1) => `${ts},page_response,0000:00:0a.0,${pasid},${prgi},,,,${code}`;

interface GroupRow {
  status: string;
  pages: number;
  latency_ns: number | null;
  span_ns: number | null;
  code: number | null;
  prgi: number;
}

async function groupsOf(lines: string[]): Promise<GroupRow[]> {
  const file = tempFile('pairing.csv', [HEADER, ...lines].join('\n') + '\n');
  return withTempDb(async (db) => {
    const r = await ingestFile(db, { file });
    const rows = await db.all<Record<string, unknown>>(
      'SELECT status, pages, latency_ns, span_ns, code, prgi FROM fault_groups WHERE trace_id = $1 ORDER BY group_no',
      [r.trace_id],
    );
    return rows.map((x) => ({
      status: String(x.status),
      pages: Number(x.pages),
      latency_ns: x.latency_ns === null ? null : Number(x.latency_ns),
      span_ns: x.span_ns === null ? null : Number(x.span_ns),
      code: x.code === null ? null : Number(x.code),
      prgi: Number(x.prgi),
    }));
  });
}

describe('fault-group pairing (hand-computed)', () => {
  it('reuses a PRG index once the previous group was answered', async () => {
    // group A: last at 100, answered at 110 → 10; group B (same key): last at 200, answered at 230 → 30
    const g = await groupsOf([req(100, 7, 1), resp(110, 7), req(200, 7, 1), resp(230, 7)]);
    assert.deepEqual(
      g.map((x) => [x.status, x.latency_ns]),
      [
        ['answered', 10],
        ['answered', 30],
      ],
    );
  });

  it('collects multi-request groups up to the last-page request', async () => {
    // requests at 100, 105 (not last) and 120 (last); response at 150: latency 150−120 = 30, span 150−100 = 50
    const g = await groupsOf([req(100, 3, 0), req(105, 3, 0, 'w'), req(120, 3, 1, 'rw'), resp(150, 3)]);
    assert.deepEqual(g, [{ status: 'answered', pages: 3, latency_ns: 30, span_ns: 50, code: 0, prgi: 3 }]);
  });

  it('counts a response with no open completed group as an orphan, without consuming a later group', async () => {
    // response at 50 precedes every request: orphan; group completes at 100, answered at 130 → 30
    const g = await groupsOf([resp(50, 2), req(100, 2, 1), resp(130, 2)]);
    assert.deepEqual(
      g.map((x) => [x.status, x.latency_ns]),
      [
        ['orphan_response', null],
        ['answered', 30],
      ],
    );
  });

  it('a response that arrives before the group completes is an orphan', async () => {
    // partial request at 100, response at 105 (nothing completed yet → orphan), last at 110, response at 120 → 10
    const g = await groupsOf([req(100, 4, 0), resp(105, 4), req(110, 4, 1), resp(120, 4)]);
    assert.deepEqual(
      g.map((x) => [x.status, x.latency_ns, x.pages]),
      [
        ['orphan_response', null, 0],
        ['answered', 10, 2],
      ],
    );
  });

  it('answers the oldest open completed group first (FIFO)', async () => {
    // two groups of one key complete at 100 and 110; responses at 120 and 125 answer them in order: 20 and 15
    const g = await groupsOf([req(100, 9, 1), req(110, 9, 1), resp(120, 9, 1), resp(125, 9, 2)]);
    assert.deepEqual(
      g.map((x) => [x.status, x.latency_ns, x.code]),
      [
        ['answered', 20, 1],
        ['answered', 15, 2],
      ],
    );
  });

  it('keeps completed groups without a response as unanswered and partial ones as incomplete', async () => {
    const g = await groupsOf([req(100, 1, 1), req(200, 5, 0), req(300, 6, 1), resp(310, 6)]);
    assert.deepEqual(
      g.map((x) => [x.status, x.prgi]),
      [
        ['unanswered', 1],
        ['incomplete', 5],
        ['answered', 6],
      ],
    );
  });

  it('a stop-marker-like request (last, no read, no write) forms no group and needs no response', async () => {
    // partial request at 100 on key (pasid 1, prgi 8); stop marker at 110 on the same key; last at 120, answered at 125
    const g = await groupsOf([req(100, 8, 0), req(110, 8, 1, ''), req(120, 8, 1), resp(125, 8)]);
    assert.deepEqual(
      g.map((x) => [x.status, x.pages, x.latency_ns]),
      [
        ['stop_marker', 1, null],
        ['answered', 2, 5],
      ],
    );
  });

  it('walks a key in time order, not file order', async () => {
    // The response (line 3, ts 90) comes before the request (line 2, ts 100) in time: an orphan
    // at 90, then a group that completes at 100 and is never answered. In file order it would
    // have answered the request with latency −10.
    const g = await groupsOf([req(100, 3, 1), resp(90, 3)]);
    assert.deepEqual(
      g.map((x) => [x.status, x.latency_ns]),
      [
        ['orphan_response', null],
        ['unanswered', null],
      ],
    );
  });

  it('orders an incomplete group by its first time and lowest line, which may be two requests', async () => {
    // Key prgi 1: requests at ts 300 (line 2) and ts 100 (line 4), no last page: incomplete,
    // first time 100, lowest line 2, so it sorts at (100, 2). Key prgi 2: one last-page request
    // at ts 100 (line 3), unanswered, sorts at (100, 3). The incomplete group comes first; taking
    // the line of its earliest request (4) would put it second.
    const g = await groupsOf([req(300, 1, 0), req(100, 2, 1), req(100, 1, 0)]);
    assert.deepEqual(
      g.map((x) => [x.status, x.prgi, x.pages]),
      [
        ['incomplete', 1, 2],
        ['unanswered', 2, 1],
      ],
    );
  });

  it('keeps keys apart: same PRG index on another PASID is another group', async () => {
    const g = await groupsOf([req(100, 1, 1, 'r', 1), req(101, 1, 1, 'r', 2), resp(110, 1, 0, 2), resp(120, 1, 0, 1)]);
    assert.deepEqual(
      g.map((x) => [x.status, x.latency_ns]),
      [
        ['answered', 20],
        ['answered', 9],
      ],
    );
  });

  it('keeps keys apart at the field limits (PASID 2^20 − 1, PRG index 511, and 0)', async () => {
    // (pasid 1048575, prgi 511): last at 100, answered at 110 → 10; (pasid 0, prgi 0): last at 101, answered at 120 → 19;
    // (pasid 1048575, prgi 0): last at 102, answered at 130 → 28. Packed keys that overlapped would cross these answers.
    const g = await groupsOf([
      req(100, 511, 1, 'r', 1048575),
      req(101, 0, 1, 'r', 0),
      req(102, 0, 1, 'r', 1048575),
      resp(110, 511, 0, 1048575),
      resp(120, 0, 0, 0),
      resp(130, 0, 0, 1048575),
    ]);
    assert.deepEqual(
      g.map((x) => [x.status, x.prgi, x.latency_ns]),
      [
        ['answered', 511, 10],
        ['answered', 0, 19],
        ['answered', 0, 28],
      ],
    );
  });
});
