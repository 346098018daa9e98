// Held-out calibration (holdout.ts): which recorded groups fit the service times and which are
// checked, by hand; the check part's comparison, by hand; and on traces from the independent
// generator (tests/helpers/independent-trace.ts), service times estimated on the first half
// reproduce the second half's p50/p90/p99 — while a trace whose law changes at the split
// fails the same check, which is what holding out is for.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runReplay } from '../../lib/replay/engine.ts';
import { holdoutCalibration, holdoutCheck, splitHoldout } from '../../lib/replay/holdout.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import { intervalsOf, seedSamplesOf } from '../../lib/replay/seed-samples.ts';
import { busyAfterResponseNs, estimateServiceTimes, inversionOptions, type RecordedGroupTimes } from '../../lib/replay/service-time.ts';
import { replayInputFromRequests, type RequestRow } from '../../lib/replay/types.ts';
import { independentTrace, type IndependentTrace, type Law } from '../helpers/independent-trace.ts';

function group(lastNs: number, latencyNs = 1000): RecordedGroupTimes {
  return { iommu: 'dmar0', firstRequestNs: BigInt(lastNs - 5), lastRequestNs: BigInt(lastNs), responseNs: BigInt(lastNs + latencyNs) };
}
const lasts = (gs: RecordedGroupTimes[]) => gs.map((g) => Number(g.lastRequestNs));

describe('splitHoldout: which groups fit and which are checked', () => {
  // Reported at 50, 10, 30, 30, 20, 40: in time order 10 20 30 30 40 50.
  const groups = [50, 10, 30, 30, 20, 40].map((t) => group(t));

  it('fits the earliest round(F·n) groups and checks the rest, in time order', () => {
    // 0.7 · 6 = 4.2 → 4: the cut is at the 5th group (40).
    const s = splitHoldout(groups, 0.7);
    assert.deepEqual(lasts(s.fit), [10, 20, 30, 30]);
    assert.deepEqual(lasts(s.check), [40, 50]);
    assert.equal(s.splitNs, 40n);
  });

  it('sends groups that tie at the cut to the check part, so one time separates the parts', () => {
    // 0.5 · 6 = 3: the cut falls between the two groups at 30; both are checked.
    const s = splitHoldout(groups, 0.5);
    assert.deepEqual(lasts(s.fit), [10, 20]);
    assert.deepEqual(lasts(s.check), [30, 30, 40, 50]);
    assert.equal(s.splitNs, 30n);
    // 0.1 · 6 = 0.6 → 1: one group fitted.
    assert.deepEqual(lasts(splitHoldout(groups, 0.1).fit), [10]);
  });

  it('refuses a fraction outside (0, 1) or one that leaves a part empty', () => {
    for (const f of [0, 1, -0.5, 1.5, Number.NaN]) assert.throws(() => splitHoldout(groups, f), /holdout/);
    // 0.05 · 6 = 0.3 → 0 groups to fit; 0.95 · 6 = 5.7 → 6, none to check.
    assert.throws(() => splitHoldout(groups, 0.05), /empty/);
    assert.throws(() => splitHoldout(groups, 0.95), /empty/);
    // Everything before the cut ties with it: nothing can be fitted.
    assert.throws(
      () =>
        splitHoldout(
          [10, 10, 10, 20].map((t) => group(t)),
          0.5,
        ),
      /no group left to fit/,
    );
  });
});

describe('holdoutCalibration: the check part only', () => {
  it('compares the recorded check latencies with the replayed groups that arrive at or after the split', () => {
    const check = { fraction: 0.5, fit_groups: 4, check_groups: 4, split_ns: 100, recordedLatenciesNs: [10, 20, 30, 40] };
    // Arrivals 50 and 99 are fit-part groups; the NaN one was lost. Picked: 11, 22, 44.
    const latency = Float64Array.from([999, 11, 22, Number.NaN, 44, 33]);
    const arrival = Float64Array.from([50, 100, 120, 130, 150, 99]);
    const h = holdoutCalibration(check, latency, arrival);
    assert.equal(h.replayed_groups, 3);
    // Nearest rank of [10 20 30 40]: p50 index ceil(2) − 1 = 1 → 20; p90 index 3 → 40; p99 → 40.
    assert.deepEqual(h.recorded, { p50: 20, p90: 40, p99: 40 });
    // Of [11 22 44]: p50 index 1 → 22; p90 and p99 index 2 → 44.
    assert.deepEqual(h.replayed, { p50: 22, p90: 44, p99: 44 });
    assert.deepEqual([h.error_p50, h.error_p90, h.error_p99], [0.1, 0.1, 0.1]);
  });
});

const SEEDS = [7, 8, 9, 10];

/** Held-out errors over SEEDS (their mean, as a run reports it): fit on the first half, check on the second. */
function heldOutErrors(requests: RequestRow[], groups: RecordedGroupTimes[], workers: number): { p50: number; p90: number; p99: number } {
  const params = { ...presetFor('v6.9').params, workers, wqWakeupNs: 1200, wqWakeupP99Ns: 1200, serviceDist: 'empirical' as const };
  const input = replayInputFromRequests(requests);
  const split = splitHoldout(groups, 0.5);
  const samples = estimateServiceTimes(split.fit, inversionOptions(params));
  const check = holdoutCheck(split, input.originNs!);
  const summaries = SEEDS.map((seed) => runReplay(input, 'domain-wide', params, seed, { serviceSamplesNs: samples, holdout: check }).summary);
  for (const s of summaries) assert.equal(s.holdout_calibration!.replayed_groups, split.check.length);
  const e = intervalsOf(seedSamplesOf(summaries)).holdout_error!;
  return { p50: e.p50!.value, p90: e.p90!.value, p99: e.p99!.value };
}

function generated(seed: number, law: Law, c: { rate: number; burst: number; workers: number; groups: number }): IndependentTrace {
  return independentTrace({ seed, law, ...c, wakeNs: 1200, busyAfterNs: busyAfterResponseNs({ ...presetFor('v6.9').params }) });
}

// Measured on traces 41–43 of every case below at replay seeds 7–10 (one seed at a time):
// |error| ≤ 2.2 % at p50 and p90, ≤ 6.2 % at p99 (bimodal, trace 42). p99 is looser because
// each half holds only ~300 groups above its p99: the fit half's tail and the check half's
// tail are two independent samples of the law's tail, and their p99s differ by a few percent
// whatever the replay does. 3 % / 3 % / 8 % keeps a margin over that noise and stays well
// under what a law change at the split gives (24–26 %, the last test).
const TOLERANCE = { p50: 0.03, p90: 0.03, p99: 0.08 };

describe('held-out calibration on independently generated traces', () => {
  const CASES: { law: Law; rate: number; burst: number; workers: number }[] = [
    { law: 'lognormal', rate: 150_000, burst: 1, workers: 4 },
    { law: 'pareto', rate: 120_000, burst: 1, workers: 4 },
    { law: 'weibull', rate: 60_000, burst: 4, workers: 8 },
    { law: 'bimodal', rate: 25_000, burst: 4, workers: 4 },
  ];
  for (const c of CASES) {
    it(`${c.law}, ${c.rate / 1000}k groups/s, burst ×${c.burst}: fitted on the first half, p50/p90/p99 of the second within 3 / 3 / 8 %`, () => {
      const t = generated(42, c.law, { ...c, groups: 60_000 });
      const e = heldOutErrors(t.requests, t.groups, c.workers);
      for (const p of ['p50', 'p90', 'p99'] as const) {
        assert.ok(Math.abs(e[p]) <= TOLERANCE[p], `${p}: held-out error ${(e[p] * 100).toFixed(1)} % (tolerance ${TOLERANCE[p] * 100} %)`);
      }
    });
  }

  it('fails on a trace whose fault-handling law changes at the split (lognormal, then Weibull)', () => {
    // The same check on two generated traces end to end: what the first half teaches about
    // service times is wrong for the second. Measured: +26 / −23 / −24 % at p50/p90/p99.
    const c = { rate: 100_000, burst: 1, workers: 4, groups: 30_000 };
    const a = generated(41, 'lognormal', c);
    const b = generated(42, 'weibull', c);
    const shift = a.groups.at(-1)!.responseNs + 10_000_000n;
    const requests = [...a.requests, ...b.requests.map((r) => ({ ...r, tsNs: r.tsNs + shift }))];
    const groups = [
      ...a.groups,
      ...b.groups.map((g) => ({ ...g, firstRequestNs: g.firstRequestNs + shift, lastRequestNs: g.lastRequestNs + shift, responseNs: g.responseNs + shift })),
    ];
    const e = heldOutErrors(requests, groups, c.workers);
    assert.ok(
      (['p50', 'p90', 'p99'] as const).some((p) => Math.abs(e[p]) > 2 * TOLERANCE[p]),
      `errors ${JSON.stringify(e)} should show the change`,
    );
  });
});
