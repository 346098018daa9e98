// A sweep sharded over worker threads gives one thread's result point for point: each point
// depends only on the seed, its PASID count and its allocation (issue 17: sweeps shard), and
// an axis point only on the seed and its knob.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisSweepOffThread, sweepOffThread } from '../../lib/replay/off-thread.ts';
import { runAxisSweep } from '../../lib/replay/sweep-axes.ts';
import { runSweep } from '../../lib/replay/sweep.ts';
import { generateTraffic } from '../../lib/sim/traffic.ts';

test('a sweep on 2 and 3 worker threads equals the same sweep on one', async () => {
  const { input } = generateTraffic({ seed: 5, groups: 3000, devicesPerIommu: 2, groupsPerSecond: 50_000 });
  const options = { seed: 9, exponents: [0, 3, 6, 9, 12, 16, 20], maxGroupsPerPoint: 1500 };
  const one = runSweep(input, options);
  assert.equal(one.points.length, 7 * 2 * 5);
  for (const threads of [2, 3]) {
    const sharded = await sweepOffThread(input, options, threads);
    assert.deepEqual(sharded, one, `${threads} threads`);
  }
});

test('an outstanding or sharing sweep on 2 worker threads equals the same sweep on one', async () => {
  const { input } = generateTraffic({ seed: 5, groups: 2000, devicesPerIommu: 4, groupsPerSecond: 50_000 });
  for (const axis of ['outstanding', 'sharing'] as const) {
    const options = {
      axis,
      seed: 9,
      seeds: 2,
      maxGroupsPerPoint: 1500,
      models: ['domain-wide'] as const,
      knobs: axis === 'outstanding' ? [1 / 4, 1, 4] : [1, 3, 16],
    };
    const one = runAxisSweep(input, options);
    assert.equal(one.points.length, 3 * 4, axis);
    assert.deepEqual(await axisSweepOffThread(input, options, 2), one, axis);
  }
});
