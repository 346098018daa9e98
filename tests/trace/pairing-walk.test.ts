// The pairing walk on its own (lib/trace/pairing.ts), on hand-built events: the orders it must
// find whatever order the events come in, worked out on paper. The rules themselves are checked
// end to end through ingest in tests/db/pairing.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packKey, pairingOrder, PairingWalk, PAIR_LAST, PAIR_RESPONSE, type PairingEvents } from '../../lib/trace/pairing.ts';
import { NO_CODE } from '../../lib/trace/page-event-collector.ts';
import { PAGE_REQUEST } from '../helpers/trace-events.ts';
import { drain, newCollector } from '../helpers/collected.ts';
import { GROUP_STATUSES } from '../../lib/trace/schema.ts';

interface Ev {
  ts: number;
  line: number;
  prgi: number;
  flags: number;
}

function events(list: Ev[]): PairingEvents {
  const n = list.length;
  const ev: PairingEvents = { n, dk: new Int32Array(n), key: new Int32Array(n), ts: new Int32Array(2 * n), line: new Uint32Array(n), flags: new Uint8Array(n) };
  list.forEach((e, i) => {
    ev.key[i] = packKey(1, e.prgi);
    ev.ts[2 * i] = e.ts; // below 2^31: the high half stays 0
    ev.line[i] = e.line;
    ev.flags[i] = e.flags;
  });
  return ev;
}

/**
 * The groups of events walked in (time, line) order, in group_no order (by their rank among
 * placed groups: these cases have no incomplete group), each naming its last-page request and
 * response by their index in the input (found by line), −1 where it has none.
 */
function pairEvents(ev: PairingEvents) {
  const order = pairingOrder(ev);
  const sorted: PairingEvents = {
    n: ev.n,
    dk: Int32Array.from(order, (i) => ev.dk[i]!),
    key: Int32Array.from(order, (i) => ev.key[i]!),
    ts: Int32Array.from({ length: 2 * ev.n }, (_, k) => ev.ts[2 * order[k >> 1]! + (k & 1)]!),
    line: Uint32Array.from(order, (i) => ev.line[i]!),
    flags: Uint8Array.from(order, (i) => ev.flags[i]!),
  };
  const walk = new PairingWalk();
  walk.add({ events: sorted, code: new Int8Array(ev.n).fill(NO_CODE) });
  const { blocks, exactBelow } = walk.end();
  const g = blocks[0]!;
  assert.equal(exactBelow, g.rows, 'no incomplete group');
  const index = (line: number) => ev.line.indexOf(line);
  const bit = (valid: Uint8Array, r: number) => (valid[r >>> 3]! & (1 << (r & 7))) !== 0;
  const rows = Array.from({ length: g.rows }, (_, r) => ({
    placed: g.placed[r]!,
    status: g.status[r]!,
    last: bit(g.lastValid, r) ? index(g.lastLine[r]!) : -1,
    response: bit(g.responseValid, r) ? index(g.responseLine[r]!) : -1,
  }));
  return rows.sort((a, b) => a.placed - b.placed);
}

describe('pairing walk', () => {
  it('orders by time, then line, when lines are sparse and times disagree with them', () => {
    // Lines 10, 5000, 90000 (sparse: the comparator path) with times 300, 100, 100:
    // by (time, line) the order is index 1 (100, 5000), index 2 (100, 90000), index 0 (300, 10).
    const ev = events([
      { ts: 300, line: 10, prgi: 1, flags: PAIR_LAST },
      { ts: 100, line: 5000, prgi: 2, flags: PAIR_LAST },
      { ts: 100, line: 90000, prgi: 3, flags: PAIR_LAST },
    ]);
    assert.deepEqual([...pairingOrder(ev)], [1, 2, 0]);
  });

  it('orders dense lines in one pass, and re-sorts when a time runs backwards', () => {
    // Given out of line order: lines 3, 1, 2 with times 30, 10, 5. By line: indices 1, 2, 0,
    // whose times 10, 5, 30 run backwards, so by time: index 2 (5), index 1 (10), index 0 (30).
    const ev = events([
      { ts: 30, line: 3, prgi: 1, flags: 0 },
      { ts: 10, line: 1, prgi: 1, flags: 0 },
      { ts: 5, line: 2, prgi: 1, flags: 0 },
    ]);
    assert.deepEqual([...pairingOrder(ev)], [2, 1, 0]);
  });

  it('answers the oldest completed group of a key and numbers groups by completion', () => {
    // prgi 1: last-page requests at 10 (index 0) and 20 (index 1); responses at 30 (index 2)
    // and 40 (index 3) answer them in that order. prgi 2: a response at 5 (index 4) with
    // nothing completed is an orphan, first in group order (time 5).
    const ev = events([
      { ts: 10, line: 2, prgi: 1, flags: PAIR_LAST },
      { ts: 20, line: 3, prgi: 1, flags: PAIR_LAST },
      { ts: 30, line: 4, prgi: 1, flags: PAIR_RESPONSE },
      { ts: 40, line: 5, prgi: 1, flags: PAIR_RESPONSE },
      { ts: 5, line: 1, prgi: 2, flags: PAIR_RESPONSE },
    ]);
    const rows = pairEvents(ev).map((g) => [GROUP_STATUSES[g.status], g.last, g.response]);
    assert.deepEqual(rows, [
      ['orphan_response', -1, 4],
      ['answered', 0, 2],
      ['answered', 1, 3],
    ]);
  });
});

describe('page event collector', () => {
  it('refuses to pair a PASID or PRG index beyond its field rather than merge keys', () => {
    // No parser lets one through (they are bad lines); given straight to the collector to reach the guard.
    const c = newCollector();
    c.addEvent({ ...PAGE_REQUEST, pasid: 1048576 });
    assert.throws(() => c.finish([0], () => null), /pasid or prgi out of range at line 1/);
  });

  it('keeps a parsed event as a batch row would be kept', () => {
    // A last-page request (line 1, ts 2^32 + 5: both halves used) and its response (line 2, code 1).
    const c = newCollector();
    c.addEvent({ ...PAGE_REQUEST, tsNs: 4294967301n });
    c.addEvent({ ...PAGE_REQUEST, line: 2, kind: 'page_response', tsNs: 4294967401n, last: null, perm: null, code: 1 });
    const { events, code, keys } = drain(c);
    assert.equal(events.n, 2);
    assert.deepEqual(keys, [{ iommu: 'dmar0', device: '0000:00:0a.0' }]);
    assert.deepEqual([...events.ts], [5, 1, 105, 1]);
    assert.deepEqual([...events.flags], [PAIR_LAST, PAIR_RESPONSE]);
    assert.deepEqual([...code], [NO_CODE, 1]);
    assert.deepEqual([...events.key], [packKey(3, 7), packKey(3, 7)]);
  });
});
