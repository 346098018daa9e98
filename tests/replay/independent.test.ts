// Trace-driven service time against traces nobody here produced with the replay: an
// independent generator (tests/helpers/independent-trace.ts: its own RNG, its own heavy-
// tailed laws of fault handling, its own loads) records report and response times; the
// replay estimates service times from every recorded group by inverting the era's queueing
// (estimateServiceTimes), replays the requests with serviceDist=empirical and the matching
// era (v6.9 with the generator's worker count and wake-up), and must reproduce the recorded
// p50, p90 and p99 within 5 % (measured: within 1.8 % over seeds 41–43 for every case).
// Where p99 is made by queueing coincidences — the bimodal law on 2 workers, where two major
// faults overlapping decide it — the replayed p99 is a random variable of the seed (±20 %
// between seeds on one trace) and no estimate of service time can pin it; that case is left
// to the next issue's intervals over seeds.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runReplay } from '../../lib/replay/engine.ts';
import { nearestRank } from '../../lib/replay/percentiles.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import { busyAfterResponseNs, estimateServiceTimes, inversionOptions } from '../../lib/replay/service-time.ts';
import { replayInputFromRequests } from '../../lib/replay/types.ts';
import { independentTrace, type Law } from '../helpers/independent-trace.ts';

const CASES: { law: Law; rate: number; burst: number; workers: number }[] = [
  { law: 'lognormal', rate: 150_000, burst: 1, workers: 4 },
  { law: 'pareto', rate: 120_000, burst: 1, workers: 4 },
  { law: 'weibull', rate: 60_000, burst: 4, workers: 8 },
  { law: 'bimodal', rate: 25_000, burst: 4, workers: 4 },
];

describe('trace-driven service time on independently generated traces', () => {
  for (const c of CASES) {
    it(`${c.law}, ${c.rate / 1000}k groups/s, burst ×${c.burst}, ${c.workers} workers: p50/p90/p99 within 5 %`, () => {
      const params = { ...presetFor('v6.9').params, workers: c.workers, wqWakeupNs: 1200, wqWakeupP99Ns: 1200, serviceDist: 'empirical' as const };
      const trace = independentTrace({ seed: 41, groups: 60_000, ...c, wakeNs: 1200, busyAfterNs: busyAfterResponseNs(params) });
      const samples = estimateServiceTimes(trace.groups, inversionOptions(params));
      const res = runReplay(replayInputFromRequests(trace.requests), 'domain-wide', params, 7, { serviceSamplesNs: samples });
      const recorded = Float64Array.from(trace.latencyNs).sort();
      const replayed = Float64Array.from(res.groups.latencyNs.filter((v) => !Number.isNaN(v))).sort();
      assert.equal(replayed.length, recorded.length);
      for (const q of [0.5, 0.9, 0.99]) {
        const want = nearestRank(recorded, q)!;
        const got = nearestRank(replayed, q)!;
        assert.ok(Math.abs(got / want - 1) <= 0.05, `p${q * 100}: recorded ${want}, replayed ${got} (${(((got - want) / want) * 100).toFixed(1)} %)`);
      }
    });
  }

  it('a wake-up that varies, as the era draws it: no double counting of its spread', () => {
    // The generator's idle workers wake after 1.2 µs ± 0.8 µs (uniform); the replay's era
    // draws wake-ups from a lognormal (median 1.2 µs, p99 4.8 µs). Service times estimated
    // from the recorded groups already hold the recorded wake-ups' spread, so the replay must
    // not add a fresh draw on top. Seeds 41–43: replayed p50 +1.0 to +1.3 %, p90 +0.4 to
    // +0.6 %, p99 0 to +0.1 %; with a fresh draw p50 was +8.5 to +8.7 % and p90 +2.2 to +3.0 %.
    const params = { ...presetFor('v6.9').params, workers: 4, wqWakeupNs: 1200, wqWakeupP99Ns: 4800, serviceDist: 'empirical' as const };
    const trace = independentTrace({
      seed: 41,
      groups: 60_000,
      law: 'lognormal',
      rate: 150_000,
      burst: 1,
      workers: 4,
      wakeNs: 1200,
      wakeSpreadNs: 800,
      busyAfterNs: busyAfterResponseNs(params),
    });
    const samples = estimateServiceTimes(trace.groups, inversionOptions(params));
    const res = runReplay(replayInputFromRequests(trace.requests), 'domain-wide', params, 7, { serviceSamplesNs: samples });
    const recorded = Float64Array.from(trace.latencyNs).sort();
    const replayed = Float64Array.from(res.groups.latencyNs.filter((v) => !Number.isNaN(v))).sort();
    for (const q of [0.5, 0.9, 0.99]) {
      const want = nearestRank(recorded, q)!;
      const got = nearestRank(replayed, q)!;
      assert.ok(Math.abs(got / want - 1) <= 0.05, `p${q * 100}: recorded ${want}, replayed ${got} (${(((got - want) / want) * 100).toFixed(1)} %)`);
    }
  });
});
