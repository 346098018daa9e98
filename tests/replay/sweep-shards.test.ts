// A sweep sharded over worker threads gives one thread's result point for point: each point
// depends only on the seed, its PASID count and its allocation (issue 17: sweeps shard).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweepOffThread } from '../../lib/replay/off-thread.ts';
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
