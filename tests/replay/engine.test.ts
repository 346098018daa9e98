import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runReplay } from '../../lib/replay/engine.ts';
import { handParams, input, req } from './helpers.ts';

describe('domain-wide, hand-computed', () => {
  // handParams: irq 1000, drain 100/desc, head write 50, wake-up 500, service 2000 fixed,
  // QI 300, 1 worker; rbtree of 1 device (1 visit × 7 ns); xarray {2} (1 level × 10 ns);
  // partial list 5 ns/entry.
  //
  // r0 t=0 prgi 1 partial, r1 t=10 prgi 1 last, r2 t=5000 prgi 2 last.
  // t=0     r0 lands in the idle PRQ → drain thread starts at 0 + 1000.
  // t=1000  batch of 2 (r1 arrived at 10). r0: 100 + rbtree 7 = 107 → reported 1107.
  // t=1107  r1: 100 + rbtree 7 + domain xarray 10 + partial walk 1 × 5 = 122 → 1229.
  // t=1229  g0 reported; idle worker wakes at 1729; service 2000 → 3729; head write → 1279.
  // t=3729  O(1) response: QI submit at 3729 (latency 3729 − 1229 = 2500; device 3729 − 10).
  // t=5000  r2: drain starts 6000; 100 + 7 + 10 + partial 0 = 117 → 6117; wake 6617;
  //         response 8617 (latency 2500, device 3617).
  // Visits: g0 = rbtree 1 + rbtree 1 + xarray 1 + partial 1 = 4 (7+7+10+5 = 29 ns);
  //         g1 = rbtree 1 + xarray 1 = 2 (17 ns).
  const rows = [req(0, 1, false), req(10, 1, true), req(5000, 2, true)];

  it('reproduces the timeline', () => {
    // Per-page service: g0 has 2 pages, 2 × 2000 = 4000 → response 1229 + 500 + 4000 = 5729.
    // QI: q_lock 100, hardware 100, completion seen 100 later → done 6029 (device 6019).
    // g1: drain 6000, report 6117, the worker went idle at 6029 → wakes 6617, response
    // 8617, done 8917 (device 8917 − 5000 = 3917).
    const res = runReplay(input(rows), 'domain-wide', handParams(), 1, { requestDetail: true });
    const g = res.groups;
    assert.equal(g.count, 2);
    assert.deepEqual([...g.reportNs], [1229, 6117]);
    assert.deepEqual([...g.responseNs], [5729, 8617]);
    assert.deepEqual([...g.doneNs], [6029, 8917]);
    assert.deepEqual([...g.latencyNs], [4500, 2500]);
    assert.deepEqual([...g.deviceLatencyNs], [6019, 3917]);
    assert.deepEqual([...g.lookupVisits], [4, 2]);
    assert.deepEqual([...g.lookupNs], [29, 17]);
    assert.deepEqual([...g.lastRequestIndex], [1, 2]);
    assert.deepEqual([...res.requestReportNs!], [1107, 1229, 6117]);
    assert.deepEqual([...res.requestGroup!], [0, 0, 1]);
    assert.equal(res.summary.latency_ns.p50, 2500);
    assert.equal(res.summary.drops, 0);
    // Stages of g0: prq_drain 1229 − 10, workqueue 500, service 4000, qi 300; g1: 1117,
    // 500, 2000, 300. Means: (1219 + 1117) / 2 = 1168, 500, 3000, 0, 300.
    assert.deepEqual(res.summary.stage_time_ns, { credit_wait: 0, overflow_retry: 0, prq_drain: 1168, workqueue: 500, service: 3000, response: 0, qi: 300 });
    // Longest stage: service (index 4) for both.
    assert.deepEqual([...g.longestStage], [4, 4]);
  });

  const burst = [req(0, 1, true), req(0, 2, true), req(0, 3, true), req(0, 4, true)];

  it('loses a group when retries run out', () => {
    const res = runReplay(input(burst), 'domain-wide', handParams({ prqDepth: 3, maxRetries: 0 }), 1);
    assert.equal(res.summary.lost_groups, 2);
    assert.equal(res.summary.answered, 2);
    assert.ok(Number.isNaN(res.groups.responseNs[2]!));
    assert.deepEqual([...res.groups.worker], [0, 0, -1, -1]);
  });

  it('needs no response for a Stop Marker', () => {
    const rows2 = [req(0, 1, true), req(100, 0, true, { perm: '' })];
    const res = runReplay(input(rows2), 'domain-wide', handParams(), 1);
    assert.equal(res.summary.groups, 1);
    assert.equal(res.summary.stop_markers, 1);
  });
});

describe('per-device vs domain-wide on the same three groups, hand-computed', () => {
  // One device (rid 0x50, PASID 2), everything at t=0: g0 = prgi 1 with 2 partials + last,
  // g1 = prgi 2 (last only), g2 = prgi 3 (last only). 3 workers, xarray visits cost 1000 ns
  // so the per-fault PASID lookups reorder completions; pending/partial list 5 ns/entry.
  const rows = [req(0, 1, false), req(0, 1, false), req(0, 1, true), req(0, 2, true), req(0, 3, true)];
  const params = { workers: 3, xarrayVisitNs: 1000, workerLookup: 'sva-find' as const };

  it('per-device: the response walks the device pending list past older groups', () => {
    // Drain starts at 1000; svm-devs lookups with 1-entry caches.
    // r0: 100 + PASID xarray 1000 + devs list 5 = 1105 → 2105 (partial list: 1)
    // r1: 100 (both caches hit) → 2205 (partial list: 2)
    // r2: 100 + partial walk 2 × 5 = 110 → 2315: g0 (3 faults) on pending [g0];
    //     starts 2815, iommu_sva_find per fault 3 × 1000, service per page 3 × 2000 → 11815.
    // r3: 100 → 2415: g1, pending [g0 g1]; 2915 + 1000 + 2000 → 5915.
    // r4: 100 → 2515: g2, pending [g0 g1 g2]; 3015 + 1000 + 2000 → 6015.
    // 5915 g1: fault_param->lock free; walk g0, g1 = 2 visits (10 ns) → QI submit 5925,
    //      q_lock to 6025, hardware 6025–6125, done 6225: the device's lock is held to 6225.
    // 6015 g2: waits for the device's fault_param->lock until 6225, walk 2 visits → 6235.
    // 11815 g0: walk g0 = 1 visit → 11820.
    // Visits: g0 = 1 + 1 (r0) + 2 (partial walk) + 3 (per fault) + 1 (pending) = 8,
    //         ns 1005 + 10 + 3000 + 5 = 4020; g1 = g2 = 1 (fault) + 2 (pending) = 3, 1010 ns.
    const res = runReplay(input(rows), 'per-device', handParams({ ...params, ridLookup: 'svm-devs' }), 1);
    const g = res.groups;
    assert.deepEqual([...g.reportNs], [2315, 2415, 2515]);
    assert.deepEqual([...g.responseNs], [11820, 5925, 6235]);
    assert.deepEqual([...g.latencyNs], [9505, 3510, 3720]);
    assert.deepEqual([...g.lookupVisits], [8, 3, 3]);
    assert.deepEqual([...g.lookupNs], [4020, 1010, 1010]);
    assert.equal(res.summary.lookup_stages.pending_list!.visits_mean, 5 / 3);
    // Only g2 waited for the device lock: 210 ns over 3 groups.
    assert.equal(res.summary.lock_wait_ns.response_fault_param, 70);
  });

  it('per-device with responseSvaLookup: responses serialise on the global pasid_mutex', () => {
    // As above, but each response then takes pasid_mutex and repeats PASID xarray (1000) +
    // devs walk (5) + device_to_iommu (DRHD 1 + half of a 1-device scope = 2 visits, 10)
    // = 1015 inside it, and holds it (and the device's fault_param->lock) across the QI.
    // 5915 g1: ready 5925 → mutex → submit 6940; q_lock to 7040, hw 7140, done 7240.
    // 6015 g2: device lock free at 7240; walk → 7250; mutex free → submit 8265.
    // 11815 g0: ready 11820 → submit 12835.
    const res = runReplay(input(rows), 'per-device', handParams({ ...params, ridLookup: 'svm-devs', responseSvaLookup: 1 }), 1);
    assert.deepEqual([...res.groups.responseNs], [12835, 6940, 8265]);
  });

  it('domain-wide: one domain lookup per group in the drain thread, O(1) response', () => {
    // rbtree 1 visit (7 ns) per descriptor, domain xarray (1000) at each last request.
    // r0 107 → 1107; r1 107 → 1214; r2 100 + 7 + 1000 + partial 2 × 5 = 1117 → 2331;
    // r3 1107 → 3438; r4 1107 → 4545. Wake 500 + service 2000 per page: g0 (3 pages)
    // 8831, g1 5938, g2 7045 (g1's device lock is free again at 6238).
    const res = runReplay(input(rows), 'domain-wide', handParams(params), 1);
    const g = res.groups;
    assert.deepEqual([...g.reportNs], [2331, 3438, 4545]);
    assert.deepEqual([...g.responseNs], [8831, 5938, 7045]);
    assert.deepEqual([...g.latencyNs], [6500, 2500, 2500]);
    assert.deepEqual([...g.lookupVisits], [6, 2, 2]);
    assert.deepEqual([...g.lookupNs], [1031, 1007, 1007]);
  });
});
