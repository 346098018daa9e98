// The collector keeps each slice's times as offsets from its earliest one and its key refs,
// keys, lines and flags in the narrowest array their range fits (lib/trace/page-event-collector.ts).
// These cases sit on the edges of those encodings; every expected value is worked out by hand
// from the events given, not read from the code's output. The events are read back through the
// spill file and laid out in the order they were added (tests/helpers/collected.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_CODE } from '../../lib/trace/page-event-collector.ts';
import { packKey, PAIR_LAST, PAIR_RESPONSE, PAIR_SKIP, PAIR_STOP } from '../../lib/trace/pairing.ts';
import type { TraceEvent } from '../../lib/trace/schema.ts';
import { PAGE_REQUEST } from '../helpers/trace-events.ts';
import { drainInAddedOrder, newCollector } from '../helpers/collected.ts';

/** A first page (not the last), so a case ends its group only where it says so. */
const REQUEST: TraceEvent = { ...PAGE_REQUEST, last: false };

function collect(list: Partial<TraceEvent>[]) {
  const c = newCollector();
  const events = list.map((e, i) => ({ ...REQUEST, line: i + 1, ...e }));
  for (const e of events) c.addEvent(e);
  return drainInAddedOrder(
    c,
    events.map((e) => e.line),
  );
}

describe('page event collector encodings', () => {
  it('carries into the high half when an offset crosses 2^32 ns', () => {
    // Earliest 2^32 − 10: halves (−10, 0). 2^32 + 3 is 13 ns later: halves (3, 1).
    const { events } = collect([{ tsNs: 4294967286n }, { tsNs: 4294967299n }]);
    assert.deepEqual([...events.ts], [-10, 0, 3, 1]);
  });

  it('keeps negative times and times that span more than 2^32 ns in one slice', () => {
    // −5: halves (−5, −1); 10: (10, 0); 2^33 + 7: (7, 2). The span from −5 is past 2^32.
    const { events } = collect([{ tsNs: -5n }, { tsNs: 10n }, { tsNs: 8589934599n }]);
    assert.deepEqual([...events.ts], [-5, -1, 10, 0, 7, 2]);
    // −5 and 10 alone span 15 ns: kept as offsets from −5, the carry lands 10 in high half 0.
    assert.deepEqual([...collect([{ tsNs: -5n }, { tsNs: 10n }]).events.ts], [-5, -1, 10, 0]);
  });

  it('keeps lines, keys and codes whose range needs four bytes, and the flags beside the codes', () => {
    const { events, code } = collect([
      { line: 1, pasid: 0, prgi: 0, last: true, perm: '' },
      { line: 100000, pasid: 1048575, prgi: 511, kind: 'page_response', last: null, perm: null, code: 127 },
      { line: 4294967295, pasid: null, prgi: null, kind: 'page_response', last: null, perm: null, code: 0 },
      { line: 4294967294, last: true, perm: null },
    ]);
    assert.deepEqual([...events.line], [1, 100000, 4294967295, 4294967294]);
    // packKey: (PASID + 1) × 1024 + (PRG index + 1).
    assert.deepEqual([...events.key], [1025, 1048576 * 1024 + 512, 0, 4 * 1024 + 8]);
    assert.deepEqual([...events.key], [packKey(0, 0), packKey(1048575, 511), packKey(-1, -1), packKey(3, 7)]);
    assert.deepEqual([...events.flags], [PAIR_LAST | PAIR_STOP, PAIR_RESPONSE, PAIR_RESPONSE, PAIR_LAST | PAIR_SKIP]);
    assert.deepEqual([...code], [NO_CODE, 127, 0, NO_CODE]);
  });

  it('seals every 65 536 events into a slice and lays the slices end to end', () => {
    // 70 000 requests, line i + 1 at time 1000 × i: the second slice starts at i = 65 536.
    const n = 70000;
    const { events } = collect(Array.from({ length: n }, (_, i) => ({ tsNs: BigInt(1000 * i) })));
    assert.equal(events.n, n);
    for (const i of [0, 65535, 65536, n - 1]) {
      assert.equal(events.line[i], i + 1);
      assert.equal(events.ts[2 * i], 1000 * i);
      assert.equal(events.ts[2 * i + 1], 0);
    }
  });
});
