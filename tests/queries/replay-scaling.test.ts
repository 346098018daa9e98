// Replay comparison and PASID scaling data against real runs: a saved run's CDF ends at its
// max, percentiles carry the recorded figures they are compared with, foreign run ids are
// ignored, and the scaling series exist only once the sweep has been run and saved.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runReplayForTrace } from '../../lib/services/replay-runs.ts';
import { sweepForTrace } from '../../lib/services/sweeps.ts';
import { replayComparison, replayRuns } from '../../lib/queries/charts/replay-comparison.ts';
import { scalingData } from '../../lib/queries/charts/scaling.ts';
import { sweepComputedAt } from '../../lib/queries/sweep-cache.ts';
import { traceStats } from '../../lib/queries/trace-stats.ts';
import { useSamples } from './helpers.ts';

describe('replay and scaling chart queries', () => {
  const fx = useSamples(['intel-v6.9-trace.txt', 'vendor-dev-fault-b.txt']);

  it('compares saved runs with the recorded latency', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const other = fx.ids['vendor-dev-fault-b.txt']!;
    const a = await runReplayForTrace(fx.db, id, { model: 'per-device', preset: 'v5.17' });
    const b = await runReplayForTrace(fx.db, id, { model: 'domain-wide', preset: 'v6.9', params: ['workers=2'], seed: 7 });
    const foreign = await runReplayForTrace(fx.db, other, { model: 'domain-wide' });

    const runs = await replayRuns(fx.db, id);
    assert.deepEqual(
      runs.map((r) => [r.run_id, r.model, r.preset, r.seed, r.overrides]),
      [
        [a.run_id, 'per-device', 'v5.17', 1, []],
        [b.run_id, 'domain-wide', 'v6.9', 7, ['workers=2']],
      ],
    );

    const stats = await traceStats(fx.db, id);
    const c = await replayComparison(fx.db, id, [b.run_id, foreign.run_id, 999], 100);
    assert.equal(c.recorded.answered, stats.groups.answered);
    assert.equal(c.recorded.latency_ns.p99, stats.latency_ns.p99);
    assert.equal(c.recorded.cdf.at(-1)!.latency_ns, stats.latency_ns.max);
    assert.deepEqual(
      c.runs.map((r) => r.run.run_id),
      [b.run_id],
      'runs of another trace and unknown ids are ignored',
    );
    const run = c.runs[0]!;
    assert.equal(run.cdf.at(-1)!.fraction, 1);
    assert.equal(run.cdf.at(-1)!.latency_ns, b.summary.latency_ns.max);
    assert.equal(run.run.latency_ns.p99, b.summary.latency_ns.p99);
    assert.ok(run.cdf.length <= 100);
    for (let i = 1; i < run.cdf.length; i++) assert.ok(run.cdf[i]!.latency_ns >= run.cdf[i - 1]!.latency_ns);
    assert.equal(run.run.calibration?.error_p99, b.summary.calibration?.error_p99 ?? null);
    assert.doesNotThrow(() => JSON.stringify(c), 'JSON-safe: no bigint');
  });

  it('scaling data is absent until the sweep runs, then one series per model × structure', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    assert.equal(await sweepComputedAt(fx.db, id), null);
    assert.equal(await scalingData(fx.db, id, 'dense'), null);

    await sweepForTrace(fx.db, id);
    assert.notEqual(await sweepComputedAt(fx.db, id), null);
    for (const allocation of ['dense', 'sparse'] as const) {
      const d = await scalingData(fx.db, id, allocation);
      assert.ok(d);
      assert.equal(d.trace_pasids, 3);
      assert.deepEqual(d.series.map((s) => s.key).sort(), [
        'domain-wide / hash (hypothetical)',
        'domain-wide / list (hypothetical)',
        'domain-wide / rbtree',
        'domain-wide / xarray',
        'per-device / xarray',
      ]);
      for (const s of d.series) {
        assert.equal(s.points.length, 21, `${s.key}: 2^0 … 2^20`);
        assert.equal(s.points[0]!.pasids, 1);
        assert.equal(s.points.at(-1)!.pasids, 0xfffff);
        for (let i = 1; i < s.points.length; i++) assert.ok(s.points[i]!.pasids > s.points[i - 1]!.pasids);
      }
      // A list lookup walks about half the live PASIDs: at 2^20 it must dwarf the xarray.
      const list = d.series.find((s) => s.key === 'domain-wide / list (hypothetical)')!.points.at(-1)!;
      const xa = d.series.find((s) => s.key === 'domain-wide / xarray')!.points.at(-1)!;
      assert.ok(list.visits_mean! > 1000 * xa.visits_mean!);
      // What the device waits ranks the list worst at 2^20 − 1 PASIDs, its drain thread saturated.
      assert.equal(d.ranking[0]!.key, 'domain-wide / list (hypothetical)');
      assert.equal(d.ranking[0]!.pasids, 0xfffff);
      assert.ok(list.device_p99_ns! > 10 * xa.device_p99_ns!, `${list.device_p99_ns} vs ${xa.device_p99_ns}`);
      assert.ok(list.drain_utilisation! > 0.9 && xa.drain_utilisation! < 0.5);
      assert.ok(list.device_p99_lo! <= list.device_p99_ns! && list.device_p99_ns! <= list.device_p99_hi!);
    }
  });
});
