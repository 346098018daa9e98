// What-if verdicts (issue 12): the same model and era on other seeds is inside the noise; a
// difference far beyond the seed noise is marked significant, with the stage that explains it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayPrepared } from '../../lib/replay/engine.ts';
import type { ReplayParams } from '../../lib/replay/params.ts';
import { prepareInput, type PreparedInput } from '../../lib/replay/prepare.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import { PERCENTILES, seedList, seedSamplesOf } from '../../lib/replay/seed-samples.ts';
import type { ModelName } from '../../lib/replay/types.ts';
import { compareRuns, type WhatifSide } from '../../lib/replay/whatif.ts';
import { generateTraffic } from '../../lib/sim/traffic.ts';

function side(prepared: PreparedInput, label: string, model: ModelName, params: ReplayParams, seeds: number[]): WhatifSide {
  const summaries = seeds.map((s) => replayPrepared(prepared, model, params, s, { queueDepthBuckets: 1 }).summary);
  return { label, model, preset: 'test', samples: seedSamplesOf(summaries) };
}

describe('whatif', () => {
  const { input } = generateTraffic({ seed: 11, groups: 3000, iommus: 2, devicesPerIommu: 2, groupsPerSecond: 100_000 });
  const prepared = prepareInput(input);
  const v69 = presetFor('v6.9');

  it('the same model and era on other seeds: not significant, and the verdict says so; false alarms stay rare', () => {
    const a = side(prepared, 'domain-wide v6.9', 'domain-wide', v69.params, seedList(1, 8));
    const b = side(prepared, 'domain-wide v6.9 (other seeds)', 'domain-wide', v69.params, seedList(101, 8));
    const w = compareRuns(a, b);
    assert.notEqual(w.difference.device_latency_ns.p99!.value, 0, 'other seeds really give other values');
    assert.equal(w.significant, false);
    assert.match(w.verdict, /inside the seed-to-seed noise \(8 seeds each\): no measurable difference/);
    // Each percentile's test errs 5 % of the time when nothing differs: over 10 more pairs of
    // seed sets and 6 percentiles (60 tests), expect ~3 false alarms, allow 8.
    let alarms = 0;
    for (let k = 1; k <= 10; k++) {
      const other = compareRuns(a, side(prepared, 'again', 'domain-wide', v69.params, seedList(1000 * k, 8)));
      for (const p of PERCENTILES.filter((q) => q !== 'max')) {
        alarms += Number(other.difference.latency_ns[p]!.significant) + Number(other.difference.device_latency_ns[p]!.significant);
      }
    }
    assert.ok(alarms <= 8, `${alarms} false alarms of 60`);
  });

  it('a service time 4× longer: every device-side percentile is significant, explained by fault service', () => {
    const a = side(prepared, 'v6.9', 'domain-wide', v69.params, seedList(1, 8));
    const p = v69.params;
    const slow = {
      ...p,
      serviceP50Ns: p.serviceP50Ns * 4,
      serviceP99Ns: p.serviceP99Ns * 4,
      serviceSlowP50Ns: p.serviceSlowP50Ns * 4,
      serviceSlowP99Ns: p.serviceSlowP99Ns * 4,
    };
    const b = side(prepared, 'v6.9 slow service', 'domain-wide', slow, seedList(1, 8));
    const w = compareRuns(a, b);
    for (const p of ['p50', 'p90', 'p99'] as const) {
      const d = w.difference.device_latency_ns[p]!;
      assert.ok(d.significant && d.lo > 0, `${p}: [${d.lo}, ${d.hi}]`);
    }
    assert.equal(w.significant, true);
    // The headline's numbers are the p99 difference relative to A's mean, as printed.
    const r = w.difference.device_latency_ns.p99!.relative!;
    assert.ok(w.verdict.startsWith(`v6.9 slow service vs v6.9: device-side p99 +${(r.value * 100).toFixed(r.value < 0.1 ? 1 : 0)} %`), w.verdict);
    assert.match(w.verdict, /mostly fault service .*larger than the seed noise/);
    assert.ok(w.stage_breakdown.b.service! > 2 * w.stage_breakdown.a.service!);
    // A's interval is the one its own seeds give.
    assert.deepEqual(w.a.seeds, seedList(1, 8));
  });
});
