// v5.14 against v6.9 on the same simulated traffic — 4 IOMMUs × 4 devices, 8 processes whose
// PASIDs every device shares, bursts, 32 CPUs for the fault workers — must differ for the
// reasons replay-physics.md §2–§5 gives, and the run's figures must say where the time went:
// v5.14's responders queue on the global pasid_mutex while holding their device's
// fault_param->lock, which stalls the drain thread of that device's IOMMU; the 128-entry PRQ
// overflows although every device keeps to its 32 PRI credits (4 × 32 > 127); the devices
// wait for credits. v6.9 has none of these. Two seeds: the gap must exceed seed noise.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runReplay } from '../../lib/replay/engine.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import type { ReplayResult } from '../../lib/replay/types.ts';
import { generateTraffic } from '../../lib/sim/traffic.ts';

function replay(era: 'v5.14' | 'v6.9', seed: number): ReplayResult {
  const input = generateTraffic({ seed, groups: 30_000, iommus: 4, devicesPerIommu: 4, pasidsPerDevice: 8, groupsPerSecond: 400_000 }).input;
  const { model, params } = presetFor(era);
  return runReplay(input, model, { ...params, workers: 32 }, seed);
}

function meanDeviceLatency(res: ReplayResult): number {
  let sum = 0;
  let n = 0;
  for (const v of res.groups.deviceLatencyNs) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  return sum / n;
}

describe('kernel eras on 4 IOMMUs with bursts', () => {
  const runs = [1, 2].map((seed) => ({ seed, old: replay('v5.14', seed), now: replay('v6.9', seed) }));

  it('v5.14 overflows, waits for credits and for pasid_mutex; v6.9 does none of it', () => {
    for (const { seed, old, now } of runs) {
      const o = old.summary;
      const n = now.summary;
      assert.ok(o.overflow_episodes > 0 && o.drops > 0 && o.auto_responses > 0 && o.retries > 0, `seed ${seed}: v5.14 overflow`);
      assert.ok(o.credit_waits > 0 && o.stage_time_ns.credit_wait! > 0, `seed ${seed}: v5.14 credits`);
      assert.ok(o.lock_wait_ns.pasid_mutex! > 1000, `seed ${seed}: pasid_mutex ${o.lock_wait_ns.pasid_mutex}`);
      assert.ok(o.lock_wait_ns.drain_fault_param! > 10 * n.lock_wait_ns.drain_fault_param!, `seed ${seed}: drain stall`);
      assert.deepEqual([n.drops, n.credit_waits, n.lock_wait_ns.pasid_mutex], [0, 0, 0], `seed ${seed}: v6.9`);
    }
  });

  it('the device waits several times longer on v5.14, far beyond the seed-to-seed spread', () => {
    const p99 = runs.map(({ old, now }) => [old.summary.device_latency_ns.p99!, now.summary.device_latency_ns.p99!] as const);
    for (const [o, n] of p99) assert.ok(o > 3 * n, `device p99 v5.14 ${o} vs v6.9 ${n}`);
    // v6.9's own spread over the two seeds is under a tenth of the smaller gap.
    const [a, b] = p99.map(([, n]) => n);
    const gap = Math.min(...p99.map(([o, n]) => o - n));
    assert.ok(Math.abs(a! - b!) < 0.1 * gap, `v6.9 p99 ${a} / ${b}, gap ${gap}`);
  });

  it('the stage times add up to what the device waited and name where it went', () => {
    for (const { old, now } of runs) {
      for (const res of [old, now]) {
        const stages = Object.values(res.summary.stage_time_ns).reduce((x, y) => x + y, 0);
        // Each stage mean is rounded to 0.1 ns.
        assert.ok(Math.abs(stages - meanDeviceLatency(res)) < 1, `${stages} vs ${meanDeviceLatency(res)}`);
      }
      // Service is the same work in both eras: what v5.14 adds is queueing and locks.
      const extra = (k: string) => old.summary.stage_time_ns[k]! - now.summary.stage_time_ns[k]!;
      assert.ok(Math.abs(extra('service')) < 0.1 * now.summary.stage_time_ns.service!);
      for (const k of ['credit_wait', 'prq_drain', 'workqueue', 'response']) assert.ok(extra(k) > 1000, `${k} +${extra(k)}`);
    }
  });
});
