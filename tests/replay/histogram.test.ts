// The default service distribution against the one real PRQ latency histogram (QEMU
// docs/devel/migration/qpl-compression.rst, Intel debugfs svm_prq, 25 965 faults, report →
// just before qi_submit_sync): 1–10 µs 97.1 %, 10–100 µs 1.4 %, 100 µs–1 ms 1.5 %, mean
// 9 µs. Replayed at low load with the default v6.9 parameters, latency_ns (report →
// response submission, what svm_prq measured) must land in those buckets within ±2 / ±1 /
// ±1 points. This is the data the mixture in presets.ts was fitted to, so the test pins the
// fit; it is not circular in the way replaying our own simulator's latencies would be.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runReplay } from '../../lib/replay/engine.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import { generateTraffic } from '../../lib/sim/traffic.ts';

function buckets(latency: Float64Array): { b1: number; b2: number; b3: number; mean: number } {
  let n = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let sum = 0;
  for (const v of latency) {
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
    if (v >= 1000 && v < 10_000) b1++;
    else if (v >= 10_000 && v < 100_000) b2++;
    else if (v >= 100_000 && v < 1_000_000) b3++;
  }
  return { b1: (100 * b1) / n, b2: (100 * b2) / n, b3: (100 * b3) / n, mean: sum / n };
}

describe('default service distribution vs the svm_prq histogram', () => {
  for (const seed of [3, 17]) {
    it(`puts 97.1 / 1.4 / 1.5 % of groups in 1–10 µs / 10–100 µs / 100 µs–1 ms at low load (seed ${seed})`, () => {
      const { model, params } = presetFor('v6.9');
      // 20 k groups/s on one IOMMU: workers are rarely all busy, so latency ≈ wake-up +
      // lookups + per-page service.
      const input = generateTraffic({ seed, groups: 60_000, iommus: 1, groupsPerSecond: 20_000 }).input;
      const res = runReplay(input, model, params, seed);
      const b = buckets(res.groups.latencyNs);
      assert.ok(Math.abs(b.b1 - 97.1) <= 2, `1–10 µs: ${b.b1.toFixed(2)} %`);
      assert.ok(Math.abs(b.b2 - 1.4) <= 1, `10–100 µs: ${b.b2.toFixed(2)} %`);
      assert.ok(Math.abs(b.b3 - 1.5) <= 1, `100 µs–1 ms: ${b.b3.toFixed(2)} %`);
      // The mean is not a target of the test (the histogram's 9 µs is shown for reference)
      // but must stay in its order.
      assert.ok(b.mean > 5000 && b.mean < 13_000, `mean ${b.mean}`);
    });
  }
});
