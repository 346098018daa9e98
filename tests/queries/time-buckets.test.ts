// One time-bucket width per trace: the width depends on the window's span and the trace's event
// count only, and every chart that buckets time (events over time, latency over time, the
// report) uses it, whatever the page's filter. Expected widths are worked by hand below.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatherPostmortem } from '../../lib/postmortem/report-data.ts';
import { eventsOverTime } from '../../lib/queries/charts/events-over-time.ts';
import { latencyOverTime } from '../../lib/queries/charts/latency-over-time.ts';
import { MAX_TIME_BUCKETS, timeBucketNs, traceTimeBuckets } from '../../lib/queries/charts/time-buckets.ts';
import { useSamples } from './helpers.ts';

const SAMPLES = ['intel-v6.9-trace.txt', 'sim-small.csv'] as const;

describe('one time-bucket width per trace', () => {
  const fx = useSamples(SAMPLES);

  it('derives the width from span and event count, rounded up to 1/2/5 × 10^k', () => {
    // 3 events: 2·√3 ≈ 3.5 → the floor of 10 buckets; 1 000 ns / 10 = 100.
    assert.equal(timeBucketNs(1_000n, 3), 100n);
    // 38 events: ⌈2·√38⌉ = ⌈12.33⌉ = 13 buckets; 399 001 / 13 = 30 692.4 → 50 000.
    assert.equal(timeBucketNs(399_001n, 38), 50_000n);
    // 10 000 events: 200 buckets; 1 s / 200 = 5 ms exactly.
    assert.equal(timeBucketNs(1_000_000_000n, 10_000), 5_000_000n);
    // 10^7 events: 2·√10^7 ≈ 6 325 → capped at 1 000; 60 s / 1 000 = 60 ms → 100 ms.
    assert.equal(MAX_TIME_BUCKETS, 1000);
    assert.equal(timeBucketNs(60_000_000_000n, 10_000_000), 100_000_000n);
    // A zero span still buckets (one width of 1 ns).
    assert.equal(timeBucketNs(0n, 5), 1n);
  });

  it('the v6.9 sample: 38 events over 399 001 ns give 50 µs buckets, its middle half 20 µs', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const [r] = await fx.db.all<{ events: bigint; span: bigint }>('SELECT events, last_ts_ns - first_ts_ns AS span FROM traces WHERE trace_id = $1', [id]);
    assert.deepEqual([Number(r!.events), Number(r!.span)], [38, 399_000]);
    const whole = await traceTimeBuckets(fx.db, id);
    assert.equal(whole!.width_ns, 50_000n);
    assert.equal(whole!.to_ns - whole!.from_ns, 399_001n);
    // [99 750, 299 250): 199 500 / 13 = 15 346.2 → 20 000.
    const half = await traceTimeBuckets(fx.db, id, { from_ns: 99_750n, to_ns: 299_250n });
    assert.equal(half!.width_ns, 20_000n);
  });

  it('every chart of a trace uses the same width, whatever the filter', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const t = await traceTimeBuckets(fx.db, id);
      const widths = [
        (await eventsOverTime(fx.db, id)).bucket_ns,
        (await latencyOverTime(fx.db, id)).bucket_ns,
        (await latencyOverTime(fx.db, id, { code: 0 })).bucket_ns,
        (await latencyOverTime(fx.db, id, { pasid: 2 })).bucket_ns,
        (await gatherPostmortem(fx.db, id)).latency_over_time.bucket_ns,
      ];
      assert.deepEqual(
        widths,
        widths.map(() => Number(t!.width_ns)),
        s,
      );
      const range = { from_ns: 0n, to_ns: (t!.to_ns * 2n) / 3n };
      const zoomed = await traceTimeBuckets(fx.db, id, range);
      assert.equal((await eventsOverTime(fx.db, id, range)).bucket_ns, Number(zoomed!.width_ns), `${s}: zoomed events`);
      assert.equal(
        (await latencyOverTime(fx.db, id, { range, device: 'none' })).bucket_ns,
        Number(zoomed!.width_ns),
        `${s}: zoomed latency, filtered to nothing`,
      );
    }
  });
});
