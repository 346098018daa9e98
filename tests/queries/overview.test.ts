// Overview chart data against real ingests: event buckets add up to the trace's counts,
// per-device and per-PASID rows add up to the trace and carry nearest-rank p99s, pairing
// health matches `pritrace stats`, and times stay exact for traces that start above 2^53 ns.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError } from '../../lib/core/errors.ts';
import { deviceBreakdown, pasidBreakdown } from '../../lib/queries/charts/breakdowns.ts';
import { bucketCount, niceWidthNs } from '../../lib/queries/charts/convert.ts';
import { eventsOverTime, TIMED_EVENT_KINDS } from '../../lib/queries/charts/events-over-time.ts';
import { MAX_TIME_BUCKETS } from '../../lib/queries/charts/time-buckets.ts';
import { pairingHealth } from '../../lib/queries/charts/pairing-health.ts';
import { traceHeader } from '../../lib/queries/charts/trace-header.ts';
import { traceStats } from '../../lib/queries/trace-stats.ts';
import { answeredLatencies, nearestRank, useSamples } from './helpers.ts';

const SAMPLES = ['intel-v6.9-trace.txt', 'vendor-dev-fault-c.txt', 'sim-small.csv', 'amd-io-page-fault.txt'] as const;

describe('overview chart queries', () => {
  const fx = useSamples(SAMPLES);

  it('event buckets sum to the trace counts per kind', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const stats = await traceStats(fx.db, id);
      const e = await eventsOverTime(fx.db, id);
      const sum = (k: (typeof TIMED_EVENT_KINDS)[number]) => e.buckets.reduce((a, b) => a + b[k], 0);
      assert.equal(sum('page_request'), stats.events.page_requests, s);
      assert.equal(sum('page_response'), stats.events.page_responses, s);
      assert.equal(sum('unrecoverable_fault'), stats.events.unrecoverable_faults, s);
      assert.equal(sum('context'), stats.events.context, s);
      assert.equal(sum('other'), stats.events.other, s);
      assert.ok(e.buckets.length <= MAX_TIME_BUCKETS);
      assert.equal(e.buckets[0]!.t_ns, 0, `${s}: first bucket starts at the trace start`);
      for (let i = 1; i < e.buckets.length; i++) assert.equal(e.buckets[i]!.t_ns - e.buckets[i - 1]!.t_ns, e.bucket_ns, `${s}: no gaps`);
    }
  });

  it('lists only the kinds that occur, in a fixed order', async () => {
    const amd = await eventsOverTime(fx.db, fx.ids['amd-io-page-fault.txt']!);
    assert.ok(amd.kinds.includes('unrecoverable_fault'));
    assert.ok(!amd.kinds.includes('page_request'));
    const intel = await eventsOverTime(fx.db, fx.ids['intel-v6.9-trace.txt']!);
    assert.deepEqual(intel.kinds, ['page_request', 'page_response', 'context', 'other']);
  });

  it('keeps times exact for a trace whose clock starts above 2^53 ns', async () => {
    const id = fx.ids['sim-small.csv']!;
    const header = await traceHeader(fx.db, id);
    const e = await eventsOverTime(fx.db, id);
    const last = e.buckets.at(-1)!;
    assert.ok(last.t_ns <= header.span_ns! && header.span_ns! < last.t_ns + e.bucket_ns);
    assert.ok(e.buckets.every((b) => Number.isSafeInteger(b.t_ns)));
  });

  it('device rows add up to the trace and carry nearest-rank percentiles', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const stats = await traceStats(fx.db, id);
    const d = await deviceBreakdown(fx.db, id);
    assert.equal(d.rows.length, stats.devices);
    assert.equal(d.omitted, 0);
    assert.equal(
      d.rows.reduce((a, r) => a + r.page_requests, 0),
      stats.events.page_requests,
    );
    assert.equal(
      d.rows.reduce((a, r) => a + r.groups, 0),
      stats.groups.total,
    );
    assert.ok(Math.abs(d.rows.reduce((a, r) => a + r.share, 0) - 1) < 1e-9);
    assert.deepEqual(
      d.rows.map((r) => [r.key, r.page_requests, r.groups, r.unanswered]),
      [
        ['0000:00:0a.0', 8, 6, 1],
        ['0000:6a:01.0', 7, 3, 0],
        ['0000:00:0b.0', 2, 2, 0],
      ],
    );
    for (const r of d.rows) {
      const sorted = await answeredLatencies(fx.db, id, 'AND device = $2', [String(r.key)]);
      assert.equal(r.p50_ns, nearestRank(sorted, 0.5));
      assert.equal(r.p99_ns, nearestRank(sorted, 0.99));
      assert.equal(r.max_ns, sorted.at(-1));
    }
  });

  it('PASID rows add up, are numbers, and the limit reports what it left out', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const stats = await traceStats(fx.db, id);
    const all = await pasidBreakdown(fx.db, id);
    assert.equal(all.rows.length, stats.pasids);
    assert.deepEqual(all.rows.map((r) => r.key).sort(), [2, 3, 5]);
    assert.equal(
      all.rows.reduce((a, r) => a + r.page_requests, 0),
      stats.events.page_requests,
    );
    const top = await pasidBreakdown(fx.db, id, 1);
    assert.equal(top.rows.length, 1);
    assert.equal(top.omitted, 2);
    assert.equal(top.rows[0]!.key, 2);
  });

  it('per-key request and fault counts equal counts of the events themselves, for every sample', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      for (const [dim, fn] of [
        ['device', deviceBreakdown],
        ['pasid', pasidBreakdown],
      ] as const) {
        const rows = await fx.db.all<{ k: string | number | null; req: bigint; unrec: bigint }>(
          `SELECT ${dim} AS k, count(*) FILTER (kind = 'page_request') AS req, count(*) FILTER (kind = 'unrecoverable_fault') AS unrec
           FROM events WHERE trace_id = $1 AND kind IN ('page_request', 'unrecoverable_fault') GROUP BY k`,
          [id],
        );
        const expected = new Map(rows.map((r) => [r.k === null ? null : dim === 'pasid' ? Number(r.k) : String(r.k), [Number(r.req), Number(r.unrec)]]));
        const got = await fn(fx.db, id, 1000);
        assert.equal(got.rows.length, expected.size, `${s} ${dim}`);
        for (const r of got.rows) assert.deepEqual([r.page_requests, r.unrecoverable_faults], expected.get(r.key), `${s} ${dim} ${r.key}`);
      }
    }
  });

  it('unrecoverable faults count as faults and form no groups', async () => {
    const id = fx.ids['amd-io-page-fault.txt']!;
    const stats = await traceStats(fx.db, id);
    const d = await deviceBreakdown(fx.db, id);
    assert.equal(
      d.rows.reduce((a, r) => a + r.unrecoverable_faults, 0),
      stats.events.unrecoverable_faults,
    );
    assert.ok(d.rows.every((r) => r.groups === 0 && r.p99_ns === null));
  });

  it('pairing health matches stats, with the lost-event gap located', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const stats = await traceStats(fx.db, id);
      const h = await pairingHealth(fx.db, id);
      assert.equal(h.groups.answered, stats.groups.answered, s);
      assert.equal(h.groups.unanswered, stats.groups.unanswered, s);
      assert.equal(h.groups.incomplete, stats.groups.incomplete, s);
      assert.equal(h.groups.orphan_responses, stats.groups.orphan_responses, s);
      assert.equal(h.codes.success + h.codes.invalid + h.codes.failure + h.codes.unknown, stats.groups.answered, s);
      assert.equal(h.codes.invalid, stats.codes.invalid, s);
      assert.equal(h.lost_markers, stats.events.lost_markers, s);
      assert.equal(h.lost_events, stats.events.lost_events, s);
      assert.equal(h.bad_lines, stats.events.bad_lines, s);
    }
    const intel = await pairingHealth(fx.db, fx.ids['intel-v6.9-trace.txt']!);
    assert.deepEqual(intel.lost_gaps, [{ line: 29, cpu: 2, lost: 17 }]);
    assert.deepEqual(intel.orphan_codes, { success: 0, invalid: 1, failure: 0, unknown: 0 });
    const vendorC = await pairingHealth(fx.db, fx.ids['vendor-dev-fault-c.txt']!);
    assert.equal(vendorC.lost_gaps.length, 1);
    assert.equal(vendorC.lost_gaps[0]!.lost, 3);
  });

  it('trace header reads the traces row and refuses an unknown id', async () => {
    const h = await traceHeader(fx.db, fx.ids['intel-v6.9-trace.txt']!);
    assert.equal(h.name, 'intel-v6.9-trace.txt');
    assert.equal(h.format, 'ftrace');
    assert.equal(h.span_ns, 399000);
    await assert.rejects(traceHeader(fx.db, 987654), NotFoundError);
    // Not a TypeError from reading a row that is not there: every caller maps NotFoundError to 404.
    await assert.rejects(traceStats(fx.db, 987654), NotFoundError);
  });

  it('bucket widths are 1/2/5 × 10^k and never give more buckets than asked', () => {
    for (const [span, n] of [
      [399001n, 12],
      [1n, 10],
      [10n ** 15n, 2000],
      [549_000_001n, 632],
    ] as const) {
      const w = niceWidthNs(span, n);
      assert.match(w.toString(), /^[125]0*$/);
      assert.ok((span + w - 1n) / w <= BigInt(n), `${span} / ${w} ≤ ${n}`);
    }
    assert.equal(bucketCount(0, 2000), 10);
    assert.equal(bucketCount(100, 2000), 20);
    assert.equal(bucketCount(10_000_000, 2000), 2000);
  });
});
