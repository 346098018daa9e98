// The scaling page's outstanding-groups and devices-per-PASID data: absent until that axis's
// sweep is saved (the PASID sweep does not count), then one series per model × structure,
// each point at its measured x, and the trace's own x from its recording.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axisSweepForTrace, sweepForTrace } from '../../lib/services/sweeps.ts';
import { axisScalingData, axisSweepComputedAt } from '../../lib/queries/charts/scaling-axes.ts';
import { useSamples } from './helpers.ts';

describe('scaling axes chart queries', () => {
  const fx = useSamples(['intel-v6.9-trace.txt']);

  it('absent until the axis sweep runs; the PASID sweep and the other axis do not count', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    await sweepForTrace(fx.db, id, { maxGroupsPerPoint: 3, exponents: [0] });
    assert.equal(await axisSweepComputedAt(fx.db, id, 'outstanding'), null);
    await axisSweepForTrace(fx.db, id, { axis: 'sharing', seed: 1 });
    assert.equal(await axisScalingData(fx.db, id, 'outstanding'), null);
    assert.notEqual(await axisSweepComputedAt(fx.db, id, 'sharing'), null);
  });

  it('sharing: x is devices per PASID, the trace at its recorded 5/3', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    const d = (await axisScalingData(fx.db, id, 'sharing'))!;
    assert.equal(d.series.length, 5);
    // PASIDs 2 and 3 on two devices each, PASID 5 on one (traces/README.md).
    assert.ok(Math.abs(d.trace_x! - 5 / 3) < 1e-12);
    for (const s of d.series)
      assert.deepEqual(
        s.points.map((p) => p.x),
        [2, 4, 8, 16, 32, 64, 128],
        s.key,
      );
  });

  it('outstanding: x is the in-flight groups per device measured in the replay, ascending', async () => {
    const id = fx.ids['intel-v6.9-trace.txt']!;
    await axisSweepForTrace(fx.db, id, { axis: 'outstanding', seed: 1 });
    const d = (await axisScalingData(fx.db, id, 'outstanding'))!;
    // 156 µs in flight over 219 µs and 3 devices (tests/cli/sweep-axes.test.ts works it out).
    assert.ok(Math.abs(d.trace_x! - 156 / 219 / 3) < 1e-12);
    for (const s of d.series) {
      assert.deepEqual(
        s.points.map((p) => p.knob),
        [16, 8, 4, 2, 1, 0.5],
        `${s.key}: fewer devices, more in flight`,
      );
      for (const p of s.points) assert.equal(p.x, p.outstanding);
    }
  });
});
