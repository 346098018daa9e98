// Intervals over seeds (issue 12): the t table, the prediction interval's coverage of a
// further seed on real replays, Welch's difference, and the batch on worker threads.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayPrepared } from '../../lib/replay/engine.ts';
import { differenceInterval, predictionInterval, t975 } from '../../lib/replay/intervals.ts';
import { replayBatchOffThread } from '../../lib/replay/off-thread.ts';
import { prepareInput } from '../../lib/replay/prepare.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import { intervalsOf, PERCENTILES, seedSamplesOf } from '../../lib/replay/seed-samples.ts';
import { generateTraffic } from '../../lib/sim/traffic.ts';

/** P(T ≤ x) for Student's t with df degrees of freedom, by Simpson's rule on the density. */
function tCdf(x: number, df: number): number {
  const lgamma = (z: number): number => {
    // Lanczos approximation (g = 7, n = 9).
    const c = [
      0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.61503916999186, 12.507343278686905, -0.13857109526572012,
      9.984369578019572e-6, 1.5056327351493116e-7,
    ];
    z -= 1;
    let a = c[0]!;
    const t = z + 7.5;
    for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
  };
  const k = Math.exp(lgamma((df + 1) / 2) - lgamma(df / 2)) / Math.sqrt(df * Math.PI);
  const f = (t: number) => k * (1 + (t * t) / df) ** (-(df + 1) / 2);
  const n = 20000;
  const h = x / n;
  let s = f(0) + f(x);
  for (let i = 1; i < n; i++) s += f(i * h) * (i % 2 ? 4 : 2);
  return 0.5 + (s * h) / 3;
}

describe('t quantiles', () => {
  it('t975 matches a numerical integration of the t density to 3 decimals', () => {
    for (const df of [1, 2, 3, 5, 7, 10, 15, 22, 30, 40, 60, 120]) {
      assert.ok(Math.abs(tCdf(t975(df), df) - 0.975) < 2e-4, `df ${df}: P(T ≤ ${t975(df)}) = ${tCdf(t975(df), df)}`);
    }
  });
});

describe('prediction and difference intervals', () => {
  it('by hand: values 10, 12, 14, 16 → mean 13, sd √(20/3), t(3) = 3.182', () => {
    const iv = predictionInterval([10, 12, 14, 16])!;
    const half = 3.182 * Math.sqrt(20 / 3) * Math.sqrt(1 + 1 / 4);
    assert.equal(iv.value, 13);
    assert.ok(Math.abs(iv.hi - (13 + half)) < 1e-9 && Math.abs(iv.lo - (13 - half)) < 1e-9);
    assert.equal(predictionInterval([1, null]), null);
    assert.equal(predictionInterval([1, 2, 30], { nonNegative: true })!.lo, 0);
  });

  it('Welch: equal spread, means 10 apart; no spread → exact; a null → none', () => {
    // a: mean 13, var 20/3; b: mean 23, var 20/3; se = √(2·(20/3)/4); df = 6 → t 2.447.
    const d = differenceInterval([10, 12, 14, 16], [20, 22, 24, 26])!;
    const half = 2.447 * Math.sqrt((2 * (20 / 3)) / 4);
    assert.equal(d.value, 10);
    assert.ok(Math.abs(d.lo - (10 - half)) < 1e-9);
    assert.ok(d.significant, 'lo = 10 − 4.47 > 0');
    assert.ok(Math.abs(d.relative!.value - 10 / 13) < 1e-12);
    const same = differenceInterval([10, 12, 14, 16], [10, 12, 14, 16])!;
    assert.equal(same.value, 0);
    assert.equal(same.significant, false);
    assert.ok(same.hi > 0, 'the noise of both sides is in the interval, not a paired zero');
    assert.equal(differenceInterval([5, 5], [7, 7])!.significant, true);
    assert.equal(differenceInterval([5], [7])!.significant, false, 'one seed says nothing about noise');
    assert.equal(differenceInterval([5, null], [7, 7]), null);
  });
});

describe('coverage of a further seed on real replays', () => {
  it('the 8-seed interval holds the 9th seed in ≥ 90 % of 50 trials, for every percentile of latency and device latency', () => {
    // A small, loaded trace (2 workers, 2 IOMMUs, bursts) so p99 really moves with the seed.
    const { input } = generateTraffic({ seed: 3, groups: 2000, iommus: 2, devicesPerIommu: 2, groupsPerSecond: 120_000 });
    const prepared = prepareInput(input);
    const { model, params } = presetFor('v6.9');
    const p = { ...params, workers: 2, serviceDist: 'lognormal' as const, serviceP50Ns: 3000, serviceP99Ns: 30_000 };
    const K = 8;
    const trials = 50;
    const hits: Record<string, number> = {};
    let spread = 0;
    for (let t = 0; t < trials; t++) {
      const seeds = Array.from({ length: K + 1 }, (_, i) => 1000 + t * (K + 1) + i);
      const summaries = seeds.map((s) => replayPrepared(prepared, model, p, s, { queueDepthBuckets: 1 }).summary);
      const iv = intervalsOf(seedSamplesOf(summaries.slice(0, K)));
      const further = summaries[K]!;
      for (const metric of ['latency_ns', 'device_latency_ns'] as const) {
        for (const q of PERCENTILES) {
          if (q === 'max') continue;
          const i = iv[metric][q]!;
          const v = further[metric][q]!;
          const key = `${metric}.${q}`;
          hits[key] = (hits[key] ?? 0) + (v >= i.lo && v <= i.hi ? 1 : 0);
          if (metric === 'device_latency_ns' && q === 'p99') spread += (i.hi - i.lo) / i.value / trials;
        }
      }
    }
    for (const [key, h] of Object.entries(hits)) assert.ok(h >= 45, `${key}: ${h} of ${trials}`);
    // The intervals are not trivially wide: the seed noise of p99 is a few per cent, not ±100 %.
    assert.ok(spread > 0.005 && spread < 1, `mean relative width of device p99: ${spread}`);
  });
});

describe('batch on worker threads', () => {
  it('equals the same replays in this thread, and returns the one full result asked for', async () => {
    const { input } = generateTraffic({ seed: 4, groups: 800, groupsPerSecond: 80_000 });
    const { model, params } = presetFor('v5.14');
    const runs = [1, 2, 3].map((seed) => ({ model, params, seed }));
    const batch = await replayBatchOffThread(input, runs, { fullRun: 1, threads: 2 });
    const prepared = prepareInput(input);
    const local = runs.map((r) => replayPrepared(prepared, r.model, r.params, r.seed, { queueDepthBuckets: 1 }).summary);
    assert.deepEqual(batch.summaries, local);
    assert.equal(batch.full!.summary.seed, 2);
    assert.equal(batch.full!.groups.count, local[1]!.groups);
  });
});
