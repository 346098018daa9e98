// Sensitivity (issue 12): the plan halves and doubles what the model reads, and a parameter
// the test makes dominant — the invalidation queue's hardware time near saturation — ranks
// first, flagged as a dominant estimate.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayPrepared } from '../../lib/replay/engine.ts';
import type { ReplayParams } from '../../lib/replay/params.ts';
import { prepareInput } from '../../lib/replay/prepare.ts';
import { presetFor, provenanceOf } from '../../lib/replay/presets.ts';
import { seedList } from '../../lib/replay/seed-samples.ts';
import { sensitivityPlan, sensitivityRows } from '../../lib/replay/sensitivity.ts';
import { generateTraffic } from '../../lib/sim/traffic.ts';

describe('sensitivity plan', () => {
  const v69 = presetFor('v6.9');

  it('halves and doubles numeric parameters the model reads; no flags, enums or zeros', () => {
    const plan = sensitivityPlan('domain-wide', v69.params);
    const names = new Set(plan.map((v) => v.param));
    for (const skipped of ['serviceDist', 'structure', 'iopfLock', 'nestedFallback', 'responseSvaLookup', 'workerLookup'])
      assert.ok(!names.has(skipped as never), skipped);
    assert.ok(names.has('qiHwNs') && names.has('workers') && names.has('prqDepth'));
    const w = plan.filter((v) => v.param === 'workers');
    assert.deepEqual(
      w.map((v) => [v.factor, v.params.workers]),
      [
        [0.5, 4],
        [2, 16],
      ],
    );
    // Only the parameter (and, for a lognormal, its partner) changes.
    for (const v of plan) {
      const changed = Object.keys(v.params).filter((k) => v.params[k as keyof typeof v.params] !== v69.params[k as keyof typeof v69.params]);
      assert.deepEqual(changed.sort(), [v.param, ...(v.moved ? [v.moved] : [])].sort(), `${v.param} ×${v.factor}`);
    }
  });

  it('a fixed wake-up (p50 = p99) doubled moves its p99 with it, so the pair stays valid', () => {
    const p = { ...v69.params, wqWakeupNs: 1000, wqWakeupP99Ns: 1000 };
    const up = sensitivityPlan('domain-wide', p).find((v) => v.param === 'wqWakeupNs' && v.factor === 2)!;
    assert.equal(up.moved, 'wqWakeupP99Ns');
    assert.equal(up.params.wqWakeupNs, 2000);
    assert.equal(up.params.wqWakeupP99Ns, 2000);
  });
});

describe('sensitivity ranking', () => {
  it('an invalidation queue near saturation (qiHwNs 16 µs at 50 k responses/s per IOMMU) ranks first, flagged', () => {
    const { input } = generateTraffic({ seed: 21, groups: 1500, iommus: 2, devicesPerIommu: 2, groupsPerSecond: 100_000 });
    const prepared = prepareInput(input);
    const preset = presetFor('v6.9');
    // Lognormal service so nothing else is near a knee; qiHwNs 16 µs per response on an IOMMU
    // taking one every ~20 µs: utilisation ~0.8, so halving it frees the queue and doubling it
    // overloads it — far beyond any other parameter.
    const params: ReplayParams = { ...preset.params, serviceDist: 'lognormal', serviceP50Ns: 2000, serviceP99Ns: 6000, qiHwNs: 16_000 };
    const seeds = seedList(1, 3);
    const run = (p: ReplayParams) => seeds.map((s) => replayPrepared(prepared, 'domain-wide', p, s, { queueDepthBuckets: 1 }).summary);
    const plan = sensitivityPlan('domain-wide', params);
    const result = sensitivityRows(
      'domain-wide',
      'v6.9',
      params,
      provenanceOf(preset, params),
      plan,
      run(params),
      plan.map((v) => run(v.params)),
    );
    const first = result.rows[0]!;
    assert.equal(
      first.param,
      'qiHwNs',
      result.rows
        .slice(0, 3)
        .map((r) => `${r.param} ${r.swing}`)
        .join(', '),
    );
    assert.ok(first.double!.p99_change! > 1, `doubling: ${first.double!.p99_change}`);
    assert.ok(first.half!.p99_change! < 0 && first.half!.significant);
    assert.equal(first.provenance, 'estimate', 'a value set by the user is an estimate');
    assert.equal(first.estimate_dominant, true);
    // A per-visit lookup cost is far behind (replay-physics §1); near saturation any timing
    // change nudges p99 a little, but not by a quarter of the queue's own swing.
    const xa = result.rows.find((r) => r.param === 'xarrayVisitNs')!;
    assert.equal(xa.dominant, false);
    assert.ok(xa.swing < first.swing / 4, `xarrayVisitNs swing ${xa.swing} vs qiHwNs ${first.swing}`);
    assert.deepEqual(result.seeds, seeds);
    // Rows are in decreasing swing.
    for (let i = 1; i < result.rows.length; i++) assert.ok(result.rows[i - 1]!.swing >= result.rows[i]!.swing);
  });
});
