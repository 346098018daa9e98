import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runReplay } from '../../lib/replay/engine.ts';
import { answeredStats, calibrate, nearestRank, percentilesOf } from '../../lib/replay/percentiles.ts';
import { atProbability, exponentialTable, inverseNormal } from '../../lib/replay/quantile-table.ts';
import { Rng } from '../../lib/replay/rng.ts';
import { estimateServiceTimes, ServiceSampler } from '../../lib/replay/service-time.ts';
import { handParams, input, req } from './helpers.ts';

describe('percentiles and calibration', () => {
  it('uses nearest rank like quantile_disc', () => {
    assert.equal(nearestRank([10, 20, 30, 40], 0.5), 20);
    assert.equal(nearestRank([10, 20, 30, 40], 0.51), 30);
    assert.equal(nearestRank([10, 20, 30, 40], 0.99), 40);
    assert.equal(nearestRank([], 0.5), null);
  });

  it('reports recorded vs replayed p50/p99 and relative errors', () => {
    const recorded = Array.from({ length: 100 }, (_, i) => i + 1);
    const replayed = recorded.map((v) => 2 * v);
    assert.deepEqual(calibrate(recorded, replayed), {
      recorded: { p50: 50, p99: 99 },
      replayed: { p50: 100, p99: 198 },
      error_p50: 1,
      error_p99: 1,
    });
    assert.equal(calibrate([], [1]).error_p50, null);
  });

  it('is attached to the replay summary when recorded latencies are given', () => {
    const res = runReplay(input([req(0, 1, true)]), 'domain-wide', handParams(), 1, { recordedLatenciesNs: [2000] });
    // Replayed latency: wake-up 500 + service 2000 = 2500.
    assert.deepEqual(res.summary.calibration, { recorded: { p50: 2000, p99: 2000 }, replayed: { p50: 2500, p99: 2500 }, error_p50: 0.25, error_p99: 0.25 });
  });

  it('compares replayed times truncated to the recorded timestamps, as that trace would show them', () => {
    // Groups whose replayed latency is 2500 ns (wake-up 500 + service 2000) but whose report
    // falls at different phases of the µs grid: recorded with µs timestamps (both ends
    // truncated), a 2.5 µs latency reads 2 µs or 3 µs.
    const rows = [0, 130, 400, 650, 900, 5170, 5480, 5720, 5990].map((t, k) => req(t * 1000 + ((k * 311) % 1000), k, true));
    const recorded = Array.from({ length: rows.length }, () => 2000);
    const exact = runReplay(input(rows), 'domain-wide', handParams(), 1, { recordedLatenciesNs: recorded });
    const us = runReplay(input(rows), 'domain-wide', handParams(), 1, { recordedLatenciesNs: recorded, recordedResolutionNs: 1000 });
    const g = us.groups;
    const truncated = Array.from({ length: g.count }, (_, k) => (Math.floor(g.responseNs[k]! / 1000) - Math.floor(g.reportNs[k]! / 1000)) * 1000).sort(
      (a, b) => a - b,
    );
    assert.ok(truncated.some((v) => v !== 2000) && truncated.some((v) => v !== 3000), `both readings occur: ${truncated.join(' ')}`);
    assert.deepEqual(exact.summary.calibration!.replayed, { p50: 2500, p99: 2500 });
    assert.equal(exact.summary.calibration!.resolution_ns, undefined);
    assert.deepEqual(us.summary.calibration!.replayed, { p50: nearestRank(truncated, 0.5), p99: nearestRank(truncated, 0.99) });
    assert.equal(us.summary.calibration!.resolution_ns, 1000);
    // The replay's own figures stay exact.
    assert.deepEqual(us.summary.latency_ns, exact.summary.latency_ns);
  });
});

describe('service time', () => {
  it('inverts the FIFO worker pool per group, using every group', () => {
    // (report, response): (0, 5000), (1000, 8000), (20 000, 21 000); wake-up 100, a worker
    // stays busy 50 ns after its response.
    // 1 worker: g0 finds it idle → 5000 − 0 − 100 = 4900, free at 5050; g1 waits for it →
    // 8000 − 5050 = 2950, free 8050; g2 idle → 21 000 − 20 000 − 100 = 900.
    // 2 workers: g1 finds the second idle → 8000 − 1000 − 100 = 6900.
    const base = 1_700_000_000_000_000_000n; // epoch-scale clock: differences must stay exact
    const g = (last: number, resp: number) => ({
      iommu: 'dmar0',
      firstRequestNs: base + BigInt(last - 10),
      lastRequestNs: base + BigInt(last),
      responseNs: base + BigInt(resp),
    });
    const groups = [g(0, 5000), g(1000, 8000), g(20_000, 21_000)];
    assert.deepEqual([...estimateServiceTimes(groups, { workers: 1, overheadNs: 100, busyAfterResponseNs: 50 })], [900, 2950, 4900]);
    assert.deepEqual([...estimateServiceTimes(groups, { workers: 2, overheadNs: 100, busyAfterResponseNs: 50 })], [900, 4900, 6900]);
  });

  it('samples a lognormal with the requested median and p99', () => {
    const s = new ServiceSampler(handParams({ serviceDist: 'lognormal', serviceP50Ns: 3000, serviceP99Ns: 100_000 }), new Rng(3));
    const v = Float64Array.from({ length: 200_000 }, () => s.sample(1)).sort();
    assert.ok(Math.abs(nearestRank(v, 0.5)! / 3000 - 1) < 0.03);
    assert.ok(Math.abs(nearestRank(v, 0.99)! / 100_000 - 1) < 0.06);
  });

  it('replays empirical samples', () => {
    const res = runReplay(input([req(0, 1, true), req(100_000, 2, true)]), 'domain-wide', handParams({ serviceDist: 'empirical' }), 1, {
      serviceSamplesNs: Float64Array.of(7000),
    });
    assert.deepEqual([...res.groups.latencyNs], [7500, 7500]);
  });
});

describe('percentilesOf', () => {
  it('matches nearest rank on the sorted array', () => {
    const rng = new Rng(11);
    for (const n of [1, 2, 3, 10, 101, 5000]) {
      const values = Float64Array.from({ length: n }, () => rng.nextInt(50)); // many ties
      const sorted = Float64Array.from(values).sort();
      const qs = [0.5, 0.9, 0.99, 0.999, 1];
      assert.deepEqual(
        percentilesOf(values, qs),
        qs.map((q) => nearestRank(sorted, q)),
      );
    }
    assert.deepEqual(percentilesOf([NaN, 3, NaN], [0.5]), [3]);
    assert.deepEqual(percentilesOf([], [0.5]), [null]);
  });
});

describe('percentilesOf on integer nanoseconds', () => {
  it('gives the same values through the histogram path as by sorting', () => {
    const rng = new Rng(12);
    const values = Float64Array.from({ length: 20000 }, (_, i) => (i % 97 === 0 ? NaN : Math.floor(rng.nextExponential(50_000)) + (i % 3) * 70_000));
    const sorted = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
    const qs = [0.5, 0.9, 0.99, 1];
    assert.deepEqual(
      percentilesOf(values, qs),
      qs.map((q) => nearestRank(sorted, q)),
    );
    // A CDF's 50 quantiles over values spread across many 65 536-wide high buckets (a heavy
    // tail up to ~4 s): each distinct bucket gets its own low-bits table.
    const tail = Float64Array.from({ length: 30000 }, (_, i) => (i % 101 === 0 ? NaN : Math.floor(rng.nextFloat() ** 4 * 4e9)));
    const tailSorted = Float64Array.from(tail.filter((v) => !Number.isNaN(v))).sort();
    const cdf = Array.from({ length: 50 }, (_, i) => (i + 1) / 50);
    assert.deepEqual(
      percentilesOf(tail, cdf),
      cdf.map((q) => nearestRank(tailSorted, q)),
    );
    // Fractions and huge values take the selection path, with the same answer.
    const mixed = Float64Array.of(0.5, 3, 2 ** 40, 7);
    assert.deepEqual(percentilesOf(mixed, [0.5, 1]), [3, 2 ** 40]);
  });

  it('leaves nothing behind for the next call: after a fallback half-way, after a CDF', () => {
    // The counting tables are shared between calls and cleared by each: a call that gives up
    // on a fraction after counting half its values, or one that used many low tables, must
    // not leave counts that shift the next call's ranks.
    const rng = new Rng(13);
    const half = Float64Array.from({ length: 4000 }, (_, i) => (i === 2000 ? 0.5 : rng.nextInt(300_000)));
    const halfSorted = Float64Array.from(half).sort();
    assert.deepEqual(percentilesOf(half, [0.5, 1]), [nearestRank(halfSorted, 0.5), nearestRank(halfSorted, 1)]);
    const spread = Float64Array.from({ length: 3000 }, () => rng.nextInt(2 ** 32));
    const spreadSorted = Float64Array.from(spread).sort();
    const cdf = Array.from({ length: 50 }, (_, i) => (i + 1) / 50);
    assert.deepEqual(
      percentilesOf(spread, cdf),
      cdf.map((q) => nearestRank(spreadSorted, q)),
    );
    for (let round = 0; round < 3; round++) {
      const small = Float64Array.from({ length: 7 + round }, (_, i) => i * 10 + round);
      assert.deepEqual(percentilesOf(small, [0, 0.5, 1]), [round, Math.ceil(0.5 * small.length - 1) * 10 + round, (small.length - 1) * 10 + round]);
    }
  });
  it('counts only answered groups, with ranks below and above 2^16 in one call', () => {
    // Values under 65 536 are counted exactly in the first pass and the others in a second:
    // a set whose p50 is small and whose p99 is not takes both, and the worker mask (−1 =
    // unanswered, its value ignored however large) applies to each.
    const rng = new Rng(14);
    const n = 5000;
    const latency = Float64Array.from({ length: n }, (_, i) => (i % 10 === 9 ? 70_000 + rng.nextInt(500_000) : rng.nextInt(60_000)));
    const device = Float64Array.from(latency, (v) => v + 1000);
    const visits = Float64Array.from({ length: n }, () => rng.nextInt(40));
    const ns = Float64Array.from(visits, (v) => v * 12);
    const worker = Int32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? -1 : i % 4));
    latency[3] = 4e9; // unanswered (i % 7 === 3): must not count
    const kept = (a: Float64Array) => Float64Array.from(a.filter((_, i) => worker[i]! >= 0)).sort();
    const stats = answeredStats(latency, device, visits, ns, worker);
    const l = kept(latency);
    const d = kept(device);
    assert.ok(nearestRank(l, 0.5)! < 65536 && nearestRank(l, 0.99)! >= 65536);
    assert.deepEqual(stats.latency, { p50: nearestRank(l, 0.5), p90: nearestRank(l, 0.9), p99: nearestRank(l, 0.99), max: nearestRank(l, 1) });
    assert.deepEqual(stats.deviceLatency, { p50: nearestRank(d, 0.5), p90: nearestRank(d, 0.9), p99: nearestRank(d, 0.99), max: nearestRank(d, 1) });
    assert.equal(stats.lookup.visits_p99, nearestRank(kept(visits), 0.99));
    assert.equal(stats.lookup.ns_p99, nearestRank(kept(ns), 0.99));
  });
});

describe('quantile tables', () => {
  it('inverts the normal CDF (values from tables of Φ)', () => {
    assert.ok(Math.abs(inverseNormal(0.5)) < 1e-9);
    assert.ok(Math.abs(inverseNormal(0.99) - 2.3263478740408408) < 1e-8);
    assert.ok(Math.abs(inverseNormal(0.975) - 1.959963984540054) < 1e-8);
    assert.ok(Math.abs(inverseNormal(0.001) + 3.090232306167813) < 1e-7);
  });

  it('interpolates between cell midpoints and clamps the outer half cells', () => {
    const t = exponentialTable(1000);
    // Median of an exponential of mean 1000: 1000 ln 2.
    assert.ok(Math.abs(atProbability(t, 0.5) - 1000 * Math.LN2) < 0.1);
    assert.equal(atProbability(t, 0), t[0]);
    assert.equal(atProbability(t, 0.9999999), t[t.length - 1]);
  });
});
