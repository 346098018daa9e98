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
    const res = runReplay(input(rows), 'domain-wide', handParams(), 1, { requestDetail: true });
    const g = res.groups;
    assert.equal(g.count, 2);
    assert.deepEqual([...g.reportNs], [1229, 6117]);
    assert.deepEqual([...g.responseNs], [3729, 8617]);
    assert.deepEqual([...g.latencyNs], [2500, 2500]);
    assert.deepEqual([...g.deviceLatencyNs], [3719, 3617]);
    assert.deepEqual([...g.lookupVisits], [4, 2]);
    assert.deepEqual([...g.lookupNs], [29, 17]);
    assert.deepEqual([...g.lastRequestIndex], [1, 2]);
    assert.deepEqual([...res.requestReportNs!], [1107, 1229, 6117]);
    assert.deepEqual([...res.requestGroup!], [0, 0, 1]);
    assert.equal(res.summary.latency_ns.p50, 2500);
    assert.equal(res.summary.drops, 0);
  });

  // Overflow: prqDepth 3 holds 2 (head == tail ring). Four single-page groups at t=0:
  // r0, r1 queued; r2, r3 dropped and re-sent at 10000 (maxRetries 1).
  // t=1000 batch: r0 100+7+10 → 1117 (g0, worker wakes 1617, response 3617);
  //               r1 → 1234 (g1 queued); head write 1284: queue empty with PRO set →
  //               partial discard, PRO cleared.
  // g0's worker is free at 3617 + 300 = 3917 and takes g1 at once (no wake-up): 5917.
  // t=10000 both re-sent; drain 11000: r2 → 11117, wake 11617, response 13617, free 13917;
  //               r3 → 11234, started 13917, response 15917.
  const burst = [req(0, 1, true), req(0, 2, true), req(0, 3, true), req(0, 4, true)];

  it('drops on a full PRQ, frees slots per batch and retries after the timeout', () => {
    const res = runReplay(input(burst), 'domain-wide', handParams({ prqDepth: 3 }), 1);
    assert.deepEqual([...res.groups.reportNs], [1117, 1234, 11117, 11234]);
    assert.deepEqual([...res.groups.responseNs], [3617, 5917, 13617, 15917]);
    assert.deepEqual([...res.groups.latencyNs], [2500, 4683, 2500, 4683]);
    assert.deepEqual([...res.groups.deviceLatencyNs], [3617, 5917, 13617, 15917]);
    assert.equal(res.summary.drops, 2);
    assert.equal(res.summary.retries, 2);
    assert.equal(res.summary.lost_groups, 0);
    assert.equal(res.summary.partial_discards, 1);
    assert.equal(Math.max(...res.queueDepth.prqMax), 2);
  });

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
  const params = { workers: 3, xarrayVisitNs: 1000 };

  it('per-device: the response walks the device pending list past older groups', () => {
    // Drain starts at 1000; svm-devs lookups with 1-entry caches.
    // r0: 100 + PASID xarray 1000 + devs list 5 = 1105 → 2105 (partial list: 1)
    // r1: 100 (both caches hit) → 2205 (partial list: 2)
    // r2: 100 + partial walk 2 × 5 = 110 → 2315: g0 (3 faults) on pending [g0];
    //     starts 2815, iommu_sva_find per fault 3 × 1000, service 2000 → 7815.
    // r3: 100 → 2415: g1, pending [g0 g1]; 2915 + 1000 + 2000 → 5915.
    // r4: 100 → 2515: g2, pending [g0 g1 g2]; 3015 + 1000 + 2000 → 6015.
    // 5915 g1: walk g0, g1 = 2 visits (10 ns) → QI at 5925, QI busy to 6225.
    // 6015 g2: walk g0, g2 = 2 visits → ready 6025, waits for the QI → 6225.
    // 7815 g0: walk g0 = 1 visit → 7820.
    // Visits: g0 = 1 + 1 (r0) + 2 (partial walk) + 3 (per fault) + 1 (pending) = 8,
    //         ns 1005 + 10 + 3000 + 5 = 4020; g1 = g2 = 1 (fault) + 2 (pending) = 3, 1010 ns.
    const res = runReplay(input(rows), 'per-device', handParams({ ...params, ridLookup: 'svm-devs' }), 1);
    const g = res.groups;
    assert.deepEqual([...g.reportNs], [2315, 2415, 2515]);
    assert.deepEqual([...g.responseNs], [7820, 5925, 6225]);
    assert.deepEqual([...g.latencyNs], [5505, 3510, 3710]);
    assert.deepEqual([...g.lookupVisits], [8, 3, 3]);
    assert.deepEqual([...g.lookupNs], [4020, 1010, 1010]);
    assert.equal(res.summary.lookup_stages.pending_list!.visits_mean, 5 / 3);
  });

  it('per-device with responseSvaLookup: responses serialise on the global pasid_mutex', () => {
    // As above, but each response then repeats PASID xarray (1000) + devs walk (5) inside
    // pasid_mutex, and the QI submit (300) also happens under it.
    // 5915 g1: ready 5925, lock free → 5925 + 1005 = 6930 = submit; lock/QI busy to 7230.
    // 6015 g2: ready 6025, lock free at 7230 → 8235 = submit; busy to 8535.
    // 7815 g0: ready 7820, lock at 8535 → 9540.
    const res = runReplay(input(rows), 'per-device', handParams({ ...params, ridLookup: 'svm-devs', responseSvaLookup: 1 }), 1);
    assert.deepEqual([...res.groups.responseNs], [9540, 6930, 8235]);
  });

  it('domain-wide: one domain lookup per group in the drain thread, O(1) response', () => {
    // rbtree 1 visit (7 ns) per descriptor, domain xarray (1000) at each last request.
    // r0 107 → 1107; r1 107 → 1214; r2 100 + 7 + 1000 + partial 2 × 5 = 1117 → 2331;
    // r3 1107 → 3438; r4 1107 → 4545. Each group: wake 500 + service 2000 → latency 2500.
    const res = runReplay(input(rows), 'domain-wide', handParams(params), 1);
    const g = res.groups;
    assert.deepEqual([...g.reportNs], [2331, 3438, 4545]);
    assert.deepEqual([...g.responseNs], [4831, 5938, 7045]);
    assert.deepEqual([...g.latencyNs], [2500, 2500, 2500]);
    assert.deepEqual([...g.lookupVisits], [6, 2, 2]);
    assert.deepEqual([...g.lookupNs], [1031, 1007, 1007]);
  });
});
