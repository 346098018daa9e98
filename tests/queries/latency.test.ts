// Latency chart data against real ingests: figures equal `pritrace stats` (same SQL) and an
// independent nearest-rank computation, histogram and over-time counts sum to the answered
// groups, the CDF ends at the max, and filters narrow every query the same way.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latencyCdf } from '../../lib/queries/charts/latency-cdf.ts';
import { latencyFigures } from '../../lib/queries/charts/latency-figures.ts';
import { latencyFilterSql } from '../../lib/queries/charts/latency-filter.ts';
import { latencyHistogram } from '../../lib/queries/charts/latency-histogram.ts';
import { latencyOverTime } from '../../lib/queries/charts/latency-over-time.ts';
import { MAX_TIME_BUCKETS } from '../../lib/queries/charts/time-buckets.ts';
import { latencyQuantiles } from '../../lib/queries/charts/latency-quantiles.ts';
import { traceSummary } from '../../lib/queries/charts/summary.ts';
import { latencyFilterOptions, searchFilterValues } from '../../lib/queries/charts/filter-options.ts';
import { timestampResolutionNs } from '../../lib/queries/charts/timestamp-resolution.ts';
import { traceStats } from '../../lib/queries/trace-stats.ts';
import { listTraces } from '../../lib/queries/traces.ts';
import { answeredLatencies, nearestRank, useSamples } from './helpers.ts';

const SAMPLES = ['intel-v6.9-trace.txt', 'vendor-dev-fault-b.txt', 'sim-small.csv', 'amd-io-page-fault.txt'] as const;

describe('latency chart queries', () => {
  const fx = useSamples(SAMPLES);

  it('figures equal traceStats exactly, for every sample', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const stats = await traceStats(fx.db, id);
      const f = await latencyFigures(fx.db, id);
      assert.deepEqual(f.latency_ns, stats.latency_ns, s);
      const { p50, p90, p99, max } = stats.span_ns;
      assert.deepEqual(f.span_ns, { count: stats.groups.answered, p50, p90, p99, max }, s);
      assert.equal(f.answered, stats.groups.answered, s);
    }
  });

  it("the trace list's stored group counts and p99 equal traceStats, for every sample", async () => {
    const listed = new Map((await listTraces(fx.db)).map((t) => [t.trace_id, t]));
    for (const s of SAMPLES) {
      const stats = await traceStats(fx.db, fx.ids[s]!);
      const t = listed.get(fx.ids[s]!)!;
      assert.deepEqual(
        { groups: t.groups, answered: t.answered, p99_ns: t.p99_ns },
        { groups: stats.groups.total, answered: stats.groups.answered, p99_ns: stats.latency_ns.p99 },
        s,
      );
    }
  });

  it('one-sort quantiles and the overview summary equal traceStats, for every sample', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const stats = await traceStats(fx.db, id);
      const { p50, p90, p99, max } = stats.latency_ns;
      assert.deepEqual(await latencyQuantiles(fx.db, id), { count: stats.groups.answered, p50, p90, p99, max }, s);
      const sum = await traceSummary(fx.db, id);
      assert.deepEqual(
        sum,
        {
          page_requests: stats.events.page_requests,
          unrecoverable_faults: stats.events.unrecoverable_faults,
          groups: {
            total: stats.groups.total,
            answered: stats.groups.answered,
            unanswered: stats.groups.unanswered,
            orphan_responses: stats.groups.orphan_responses,
          },
          latency_ns: { count: stats.groups.answered, p50, p90, p99, max },
          devices: stats.devices,
          pasids: stats.pasids,
        },
        s,
      );
    }
  });

  it('intel sample figures are the hand-computed ones', async () => {
    const f = await latencyFigures(fx.db, fx.ids['intel-v6.9-trace.txt']!);
    assert.deepEqual(f.latency_ns, { p50: 9000, p90: 40000, p99: 40000, p999: 40000, max: 40000, mean: 14500 });
    assert.equal(f.answered, 10);
  });

  it('filtered figures equal nearest rank over the filtered groups', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const device = '0000:00:0a.0';
    const sorted = await answeredLatencies(fx.db, id, 'AND device = $2', [device]);
    const f = await latencyFigures(fx.db, id, { device });
    assert.equal(f.answered, sorted.length);
    assert.equal(f.latency_ns.p50, nearestRank(sorted, 0.5));
    assert.equal(f.latency_ns.p90, nearestRank(sorted, 0.9));
    assert.equal(f.latency_ns.p99, nearestRank(sorted, 0.99));
    assert.equal(f.latency_ns.max, sorted.at(-1));
    const byCode = await latencyFigures(fx.db, id, { code: 1 });
    assert.equal(byCode.answered, 1);
    assert.equal(byCode.latency_ns.p50, 6000);
    const none = await latencyFigures(fx.db, id, { pasid: 4242 });
    assert.equal(none.answered, 0);
    assert.equal(none.latency_ns.p50, null);
  });

  it('histogram counts sum to the answered groups, with and without a filter', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const stats = await traceStats(fx.db, id);
      const h = await latencyHistogram(fx.db, id);
      assert.equal(h.total, stats.groups.answered, s);
      assert.equal(
        h.bins.reduce((a, b) => a + b.count, 0),
        stats.groups.answered,
        s,
      );
    }
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const filtered = await latencyHistogram(fx.db, id, { pasid: 2 });
    assert.equal(filtered.total, (await latencyFigures(fx.db, id, { pasid: 2 })).answered);
  });

  it('histogram buckets are contiguous log buckets that hold their values', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const h = await latencyHistogram(fx.db, id, {}, 10);
    for (let i = 1; i < h.bins.length; i++) assert.equal(h.bins[i]!.lower_ns, h.bins[i - 1]!.upper_ns);
    // 10 µs sits exactly on a decade edge and must start its bucket, not end the one below.
    const values = await answeredLatencies(fx.db, id);
    for (const v of values) {
      const bin = h.bins.find((b) => v >= b.lower_ns && v < b.upper_ns);
      assert.ok(bin && bin.count > 0, `latency ${v} has a non-empty bucket`);
    }
    const decade = h.bins.find((b) => b.lower_ns === 10000);
    assert.ok(decade);
    assert.equal(decade.count, 1);
  });

  it('CDF: exact fractions, ends at the max with fraction 1, crosses 0.5 at p50', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const stats = await traceStats(fx.db, id);
    const cdf = await latencyCdf(fx.db, id, {}, 1000);
    const values = await answeredLatencies(fx.db, id);
    assert.deepEqual(
      cdf.map((p) => p.latency_ns),
      [...new Set(values)],
      'one point per distinct latency when they are fewer than the points asked for',
    );
    for (const p of cdf) assert.equal(p.fraction, values.filter((v) => v <= p.latency_ns).length / values.length);
    assert.deepEqual(cdf.at(-1), { latency_ns: stats.latency_ns.max, fraction: 1 });
    for (let i = 1; i < cdf.length; i++) {
      assert.ok(cdf[i]!.latency_ns >= cdf[i - 1]!.latency_ns);
      assert.ok(cdf[i]!.fraction > cdf[i - 1]!.fraction);
    }
    assert.equal(cdf.find((p) => p.fraction >= 0.5)!.latency_ns, stats.latency_ns.p50);
    const coarse = await latencyCdf(fx.db, id, {}, 3);
    assert.ok(coarse.length <= 3);
    assert.equal(coarse.at(-1)!.fraction, 1);
  });

  it('latency over time: bucket counts sum to answered, max matches, times are relative', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const stats = await traceStats(fx.db, id);
      const lot = await latencyOverTime(fx.db, id);
      assert.equal(
        lot.buckets.reduce((a, b) => a + b.count, 0),
        stats.groups.answered,
        s,
      );
      assert.ok(lot.buckets.length <= MAX_TIME_BUCKETS);
      if (stats.groups.answered) {
        assert.equal(Math.max(...lot.buckets.map((b) => b.max_ns)), stats.latency_ns.max, s);
        for (const b of lot.buckets) {
          assert.ok(b.p50_ns <= b.p99_ns && b.p99_ns <= b.max_ns, s);
          assert.ok(b.t_ns >= 0 && b.t_ns <= (stats.time_span_ns ?? 0), `${s}: bucket start within the trace`);
          assert.ok(Number.isSafeInteger(b.t_ns));
        }
      }
    }
  });

  it('timestamp resolution from the answered groups: µs for ftrace text, ns for the simulator, none without answers', async () => {
    // 5823.099871 and 211.300010 are printed with 6 decimals; the simulator's 9007199254742193 is odd.
    assert.equal(await timestampResolutionNs(fx.db, fx.ids['intel-v6.9-trace.txt']!), 1_000);
    assert.equal(await timestampResolutionNs(fx.db, fx.ids['vendor-dev-fault-b.txt']!), 1_000);
    assert.equal(await timestampResolutionNs(fx.db, fx.ids['sim-small.csv']!), 1);
    assert.equal(await timestampResolutionNs(fx.db, fx.ids['amd-io-page-fault.txt']!), null);
  });

  it('filter options list what answered groups contain', async () => {
    const o = await latencyFilterOptions(fx.db, fx.ids['intel-v6.9-trace.txt']!);
    assert.deepEqual(
      o.devices.map((d) => d.value),
      ['0000:00:0a.0', '0000:00:0b.0', '0000:6a:01.0'],
    );
    assert.deepEqual(
      o.pasids.map((p) => p.value),
      [2, 3, 5],
    );
    assert.deepEqual(o.codes, [
      { value: 0, groups: 8 },
      { value: 1, groups: 1 },
      { value: 2, groups: 1 },
    ]);
  });

  it('the picker searches every value: devices by substring, PASIDs by decimal or 0x-hex prefix', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const values = async (dim: 'device' | 'pasid', q: string) => (await searchFilterValues(fx.db, id, dim, q)).map((o) => o.value).sort();
    assert.deepEqual(await values('device', '0A.0'), ['0000:00:0a.0']);
    assert.deepEqual(await values('device', '00:0'), ['0000:00:0a.0', '0000:00:0b.0']);
    assert.deepEqual(await values('device', ''), ['0000:00:0a.0', '0000:00:0b.0', '0000:6a:01.0']);
    assert.deepEqual(await values('device', "%' OR 1=1 --"), []);
    assert.deepEqual(await values('pasid', '3'), [3]);
    assert.deepEqual(await values('pasid', '0x'), [2, 3, 5]);
    assert.deepEqual(await values('pasid', '0X5'), [5]);
    assert.deepEqual(await values('pasid', '7'), []);
    assert.deepEqual(await values('pasid', 'x'), []);
    // Counts are those of the listing.
    const listed = (await latencyFilterOptions(fx.db, id)).pasids;
    assert.deepEqual(
      await searchFilterValues(fx.db, id, 'pasid', '2'),
      listed.filter((p) => p.value === 2),
    );
  });

  it('filter SQL holds placeholders only; values travel as parameters', () => {
    const f = latencyFilterSql({ device: "x' OR 1=1 --", pasid: 3, code: 2 }, 4, 'g.');
    assert.equal(f.sql, 'AND g.device = $4 AND g.pasid = $5 AND g.code = $6');
    assert.deepEqual(f.params, ["x' OR 1=1 --", 3, 2]);
    const injected = latencyFilterSql({ device: "x' OR 1=1 --" }, 2);
    assert.ok(!injected.sql.includes('OR 1=1'));
  });

  it('a device name that looks like SQL matches nothing and breaks nothing', async () => {
    const f = await latencyFigures(fx.db, fx.ids['intel-v6.9-trace.txt']!, { device: "0000:00:0a.0' OR '1'='1" });
    assert.equal(f.answered, 0);
  });
});
