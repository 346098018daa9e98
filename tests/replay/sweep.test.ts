import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runReplay } from '../../lib/replay/engine.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import { runSweep } from '../../lib/replay/sweep.ts';
import { generateTraffic } from '../../lib/sim/traffic.ts';

describe('PASID sweep', () => {
  const traffic = generateTraffic({ seed: 5, groups: 3000, devicesPerIommu: 2, groupsPerSecond: 50_000 });
  const exponents = [0, 5, 6, 11, 12, 17, 18, 20];
  const sweep = runSweep(traffic.input, {
    seed: 9,
    exponents,
    structures: { 'per-device': ['xarray'], 'domain-wide': ['xarray', 'list', 'hash'] },
  });
  const domainLookup = (model: string, structure: string, allocation: string) =>
    sweep.points
      .filter((p) => p.model === model && p.structure === structure && p.allocation === allocation)
      .map((p) => [p.pasids, p.stages.pasid_lookup!.visits_mean]);

  it('has one point per N, allocation, model and structure, in the documented JSON shape', () => {
    assert.equal(sweep.points.length, exponents.length * 2 * 4);
    const p = sweep.points[0]!;
    assert.deepEqual(Object.keys(p).sort(), [
      'allocation',
      'device_latency_ns',
      'drain_utilisation',
      'drops',
      'hypothetical',
      'intervals',
      'latency_ns',
      'lookup',
      'model',
      'pasids',
      'sampled_groups',
      'stages',
      'structure',
    ]);
    assert.deepEqual(sweep.seeds, [9, 10, 11]);
    assert.deepEqual(Object.keys(p.intervals.device_latency_ns.p99!), ['value', 'lo', 'hi']);
    assert.deepEqual(Object.keys(p.lookup).sort(), ['ns_mean', 'ns_p99', 'visits_mean', 'visits_p99']);
    assert.deepEqual(Object.keys(p.latency_ns).sort(), ['max', 'p50', 'p90', 'p99']);
    assert.equal(JSON.parse(JSON.stringify(sweep)).points.length, sweep.points.length);
    assert.equal(Math.max(...sweep.points.map((x) => x.pasids)), 2 ** 20 - 1);
  });

  it('domain-wide xarray lookup is flat between steps at 64, 4096 and 262144 dense PASIDs', () => {
    assert.deepEqual(domainLookup('domain-wide', 'xarray', 'dense'), [
      [1, 1],
      [32, 1],
      [64, 2],
      [2048, 2],
      [4096, 3],
      [131072, 3],
      [262144, 4],
      [2 ** 20 - 1, 4],
    ]);
  });

  it('sparse PASIDs pay the full height from few PASIDs on', () => {
    const sparse = domainLookup('domain-wide', 'xarray', 'sparse');
    const dense = domainLookup('domain-wide', 'xarray', 'dense');
    sparse.forEach(([n, v], k) => {
      assert.ok(v! >= dense[k]![1]!, `N=${n}`);
      if (n! >= 32) assert.equal(v, 4, `N=${n}`);
    });
  });

  it('a list grows linearly with PASIDs while a hash stays flat', () => {
    const list = domainLookup('domain-wide', 'list', 'dense');
    const hash = domainLookup('domain-wide', 'hash', 'dense');
    const at = (rows: number[][], n: number) => rows.find((r) => r[0] === n)![1]!;
    assert.ok(at(list, 4096) > 1500 && at(list, 4096) < 2600, `list at 4096: ${at(list, 4096)}`);
    assert.ok(at(list, 2 ** 20 - 1) > 100 * at(list, 4096));
    for (const [, v] of hash) assert.ok(v! < 2);
  });

  it('every structure at a point replays the same groups; list and hash are labelled hypothetical', () => {
    for (const p of sweep.points) {
      assert.equal(p.sampled_groups, 3000, `${p.structure} at ${p.pasids}`);
      assert.equal(p.hypothetical, p.structure === 'list' || p.structure === 'hash');
    }
  });

  it('at 2^20 PASIDs a list makes the devices wait longest of all structures (device p99, every seed mean)', () => {
    const at = sweep.points.filter((p) => p.pasids === 2 ** 20 - 1 && p.allocation === 'dense');
    const worst = at.reduce((a, b) => (b.intervals.device_latency_ns.p99!.value > a.intervals.device_latency_ns.p99!.value ? b : a));
    assert.equal(worst.structure, 'list');
    // ~2^19 entries walked at 10 ns each: ~5 ms per lookup in the drain thread, which stays awake.
    assert.ok(worst.drain_utilisation > 0.9, `drain utilisation ${worst.drain_utilisation}`);
    assert.ok(worst.intervals.device_latency_ns.p99!.value > 1e6, `device p99 ${worst.intervals.device_latency_ns.p99!.value}`);
  });
});

describe('per-device response cost', () => {
  it('grows with load on a simulated trace, while domain-wide answers in O(1)', () => {
    const pending = (rate: number, era: 'v5.17' | 'v6.9') => {
      const t = generateTraffic({ seed: 3, groups: 20_000, devicesPerIommu: 2, groupsPerSecond: rate });
      const { model, params } = presetFor(era);
      return runReplay(t.input, model, params, 1).summary.lookup_stages.pending_list!.visits_mean;
    };
    const light = pending(20_000, 'v5.17');
    const medium = pending(200_000, 'v5.17');
    const heavy = pending(800_000, 'v5.17');
    assert.ok(light < medium && medium < heavy, `${light} < ${medium} < ${heavy}`);
    assert.ok(heavy > 2 * light);
    assert.equal(pending(800_000, 'v6.9'), 0);
  });
});
