// The device remap behind the outstanding-groups and devices-per-PASID sweep axes, on an input
// small enough to follow by hand, and the in-flight measure on a hand-worked timeline.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { remapDevices } from '../../lib/replay/device-remap.ts';
import { replayPrepared } from '../../lib/replay/engine.ts';
import { prepareInput, STOP_MARKER } from '../../lib/replay/prepare.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import { devicesPerPasid, groupFirstRequestNs, meanOutstanding, outstandingRemap, runAxisSweep, sharingRemap } from '../../lib/replay/sweep-axes.ts';
import { input, req } from './helpers.ts';

const A = { device: '0000:00:0a.0', rid: 0x50 };
const B = { device: '0000:00:0b.0', rid: 0x58 };
const C = { device: '0000:00:0c.0', rid: 0x60 };
const D = { iommu: 'dmar1', device: '0000:6a:01.0', rid: 0x6a08 };

// Requests in time order (canonical order = this order, since the times differ):
//   r0 t=0    A  PASID 2 prgi 1 last           group 0
//   r1 t=100  B  PASID 5 prgi 1 last           group 1
//   r2 t=200  C  PASID 3 prgi 1 last           group 2
//   r3 t=300  D  PASID 2 prgi 4 last (dmar1)   group 3
//   r4 t=400  A  PASID 2 prgi 1                } group 4 (two requests; prgi 1 reused after group 0 closed)
//   r5 t=450  A  PASID 2 prgi 1 last           }
//   r6 t=500  B  PASID 5 prgi 2 last, no r/w   a Stop Marker: no group, no flow
// dmar0 has A, B, C (ranked by name 0a < 0b < 0c), dmar1 has D.
const rows = [
  req(0, 1, true, { ...A, pasid: 2 }),
  req(100, 1, true, { ...B, pasid: 5 }),
  req(200, 1, true, { ...C, pasid: 3 }),
  req(300, 4, true, { ...D, pasid: 2 }),
  req(400, 1, false, { ...A, pasid: 2 }),
  req(450, 1, true, { ...A, pasid: 2 }),
  req(500, 2, true, { ...B, pasid: 5, perm: '' }),
];
const prepared = prepareInput(input(rows));

describe('device remap for the sweep axes', () => {
  it('the input is prepared as the comment says', () => {
    assert.deepEqual([...prepared.reqGroup], [0, 1, 2, 3, 4, 4, -2]);
    assert.equal(prepared.stopMarkers, 1);
    // Recorded: PASID 2 on A and D, PASID 5 on B, PASID 3 on C → (2 + 1 + 1) / 3 devices per PASID.
    assert.equal(devicesPerPasid(prepared), 4 / 3);
  });

  it('merging two recorded devices into one (1/2 device per recorded device)', () => {
    const m = outstandingRemap(prepared, 1 / 2, 7);
    // dmar0: A and B (ranks 0, 1) → device 0, which keeps A's RID; C (rank 2) → device 1; dmar1: D → device 2.
    assert.deepEqual(m.names, ['0000:00:0a.0 +1', '0000:00:0c.0', '0000:6a:01.0']);
    assert.deepEqual([...m.rids], [0x50, 0x60, 0x6a08]);
    assert.deepEqual([...m.iommuOf], [0, 0, 1]);
    // The Stop Marker r6 (B's) follows B onto device 0.
    assert.deepEqual([...m.device], [0, 0, 1, 2, 0, 0, 0]);
    const p = remapDevices(prepared, m);
    assert.deepEqual([...p.rid.subarray(0, p.count)], [0x50, 0x50, 0x60, 0x6a08, 0x50, 0x50, 0x50]);
    // Times, IOMMUs, PASIDs and groups are the recording's.
    assert.deepEqual([...p.reqGroup], [...prepared.reqGroup]);
    assert.deepEqual([...p.pasid.subarray(0, p.count)], [2, 5, 3, 2, 2, 2, 5]);
    // Flows in order of first request: (dmar0, 0, PASID 2), (dmar0, 0, 5), (dmar0, 1, 3), (dmar1, 2, 2);
    // the Stop Marker adds none.
    assert.equal(p.flowCount, 4);
    assert.deepEqual([...p.flowDevice], [0, 0, 1, 2]);
    assert.deepEqual([...p.flowPasid], [2, 5, 3, 2]);
    assert.deepEqual([...p.flowRid], [0x50, 0x50, 0x60, 0x6a08]);
    // PASID 2 on devices 0 and 2, PASID 5 on 0, PASID 3 on 1.
    assert.equal(devicesPerPasid(p), 4 / 3);
  });

  it('merging everything on an IOMMU into one device (1/4)', () => {
    const m = outstandingRemap(prepared, 1 / 4, 7);
    assert.deepEqual(m.names, ['0000:00:0a.0 +2', '0000:6a:01.0']);
    assert.deepEqual([...m.device], [0, 0, 0, 1, 0, 0, 0]);
  });

  it('splitting each recorded device in two (2): a group stays on one device, new devices get free RIDs', () => {
    const m = outstandingRemap(prepared, 2, 7);
    assert.deepEqual(m.names, [
      '0000:00:0a.0#0',
      '0000:00:0a.0#1',
      '0000:00:0b.0#0',
      '0000:00:0b.0#1',
      '0000:00:0c.0#0',
      '0000:00:0c.0#1',
      '0000:6a:01.0#0',
      '0000:6a:01.0#1',
    ]);
    // #0 keeps the recorded RID; the #1s take the lowest free RIDs on the devfn-step-8 grid in
    // the order they are made (A's, B's, C's, D's): 0x00, 0x08, 0x10, 0x18 (none is in use).
    assert.deepEqual([...m.rids], [0x50, 0x00, 0x58, 0x08, 0x60, 0x10, 0x6a08, 0x18]);
    const pair = (r: number, first: number) => assert.ok(m.device[r] === first || m.device[r] === first + 1, `r${r} on ${m.device[r]}`);
    pair(0, 0);
    pair(1, 2);
    pair(2, 4);
    pair(3, 6);
    pair(4, 0);
    assert.equal(m.device[4], m.device[5], 'both requests of group 4 on one device');
  });

  it("every request's flow is the remapped (device, IOMMU, PASID) one", () => {
    // The models memoise lookups per flow: a flow id of the recording would name another
    // flow of the remapped input, or none (one past the split's flows hung a sweep).
    for (const m of [outstandingRemap(prepared, 2, 7), outstandingRemap(prepared, 0.5, 7)]) {
      const p = remapDevices(prepared, m);
      for (let r = 0; r < p.count; r++) {
        const f = p.reqFlow[r]!;
        if (p.reqGroup[r] === STOP_MARKER) {
          assert.equal(f, -1, `stop marker r${r}`);
          continue;
        }
        assert.ok(f >= 0 && f < p.flowCount, `r${r}: flow ${f} of ${p.flowCount}`);
        assert.deepEqual([p.flowDevice[f], p.flowIommu[f], p.flowPasid[f]], [p.device[r], p.iommu[r], p.pasid[r]], `r${r}`);
      }
    }
  });

  it('1 device per recorded device replays exactly as the recording', () => {
    const p = remapDevices(prepared, outstandingRemap(prepared, 1, 7));
    const params = { ...presetFor('v6.9').params };
    for (const model of ['per-device', 'domain-wide'] as const) {
      const a = replayPrepared(prepared, model, params, 3).summary;
      const b = replayPrepared(p, model, params, 3).summary;
      assert.deepEqual(b, a, model);
    }
  });

  it('sharing: m devices per IOMMU, all bound to every PASID, idle ones too', () => {
    const m = sharingRemap(prepared, 2, 7);
    // dmar0 → devices 0, 1 (A's and B's RIDs); dmar1 → devices 2, 3 (D's RID, then the lowest free, 0x00).
    assert.deepEqual(m.names, ['dmar0/dev0', 'dmar0/dev1', 'dmar1/dev0', 'dmar1/dev1']);
    assert.deepEqual([...m.rids], [0x50, 0x58, 0x6a08, 0x00]);
    for (const r of [0, 1, 2, 4, 5, 6]) assert.ok(m.device[r]! <= 1, `dmar0 request r${r} on ${m.device[r]}`);
    assert.ok(m.device[3]! >= 2, 'the dmar1 request stays on dmar1');
    assert.equal(m.device[4], m.device[5]);
    const p = remapDevices(prepared, m);
    // Every one of the 4 devices is bound, whether a group landed on it or not.
    assert.deepEqual(new Set(p.flowDevice), new Set([0, 1, 2, 3]));
  });

  it('rejects a remap whose RIDs collide or whose devices are out of range', () => {
    const m = outstandingRemap(prepared, 1 / 2, 7);
    assert.throws(() => remapDevices(prepared, { ...m, rids: Int32Array.from([0x50, 0x50, 0x60]) }), /RID 80 is given to two devices/);
    assert.throws(() => remapDevices(prepared, { ...m, device: Int32Array.from([0, 0, 1, 9, 0, 0, 0]) }), /request 3: device 9 out of range/);
  });
});

describe('groups in flight per device', () => {
  it('is the time-average per device, on a hand-worked timeline', () => {
    // g0 on device 0 from 0 to 1000, g1 on device 0 from 500 to 1500, g2 on device 1 from 200
    // to 700, g3 on device 2 never answered. Span 0 … 1500. Device 0 has 1 group in flight on
    // [0, 500) and [1000, 1500), 2 on [500, 1000): (500 + 1000 + 500) / 1500 = 4/3; device 1:
    // 500 / 1500 = 1/3; device 2: 0. Mean over the 3 devices: (4/3 + 1/3 + 0) / 3 = 5/9.
    const first = Float64Array.from([0, 500, 200, 300]);
    const done = Float64Array.from([1000, 1500, 700, NaN]);
    const dev = Int32Array.from([0, 0, 1, 2]);
    assert.ok(Math.abs(meanOutstanding(first, done, dev, 4)! - 5 / 9) < 1e-12);
    // Only the first G groups count: g0 and g1 on device 0 → 2000 / 1500 / 1 device.
    assert.ok(Math.abs(meanOutstanding(first, done, dev, 2)! - 4 / 3) < 1e-12);
    assert.equal(meanOutstanding(first, Float64Array.from([NaN, NaN, NaN, NaN]), dev, 4), null);
  });

  it('at 1 device per recorded device the sweep measures the recording itself', () => {
    // Group first requests, from the comment above: groups 0 … 4 start at 0, 100, 200, 300, 400 (group 4 at r4).
    const first = groupFirstRequestNs(prepared);
    assert.deepEqual([...first], [0, 100, 200, 300, 400]);
    const s = runAxisSweep(input(rows), {
      axis: 'outstanding',
      seed: 4,
      seeds: 2,
      knobs: [1],
      models: ['domain-wide'],
      structures: { 'domain-wide': ['xarray'] },
    });
    const params = { ...s.params['domain-wide']!, structure: 'xarray' as const };
    // The recording's own devices A, B, C, D carry groups 0, 1, 2, 3, 4 as [A, B, C, D, A].
    const dev = Int32Array.from([0, 1, 2, 3, 0]);
    const perSeed = [4, 5].map((seed) => meanOutstanding(first, replayPrepared(prepared, 'domain-wide', params, seed).groups.doneNs, dev, 5)!);
    assert.ok(Math.abs(s.points[0]!.outstanding_per_device!.value - (perSeed[0]! + perSeed[1]!) / 2) < 1e-12);
    assert.equal(s.points[0]!.devices, 4);
  });
});

describe('axis sweeps', () => {
  it('outstanding: one point per knob, model and structure; merges past one device per IOMMU are skipped', () => {
    const s = runAxisSweep(input(rows), { axis: 'outstanding', seed: 1, seeds: 2 });
    // dmar0 has 3 recorded devices: 1/4 already merges them into one, so 1/8 and 1/16 add nothing.
    assert.deepEqual([...new Set(s.points.map((p) => p.knob))], [1 / 4, 1 / 2, 1, 2, 4, 8, 16]);
    assert.equal(s.points.length, 7 * 5);
    assert.deepEqual(s.seeds, [1, 2]);
    // Devices with a group: 1/4 → 2; 1/2 → 3; 1 → A, B, C, D = 4 (B's second request is a Stop Marker, no group).
    assert.deepEqual(
      [1 / 4, 1 / 2, 1].map((k) => s.points.find((p) => p.knob === k)!.devices),
      [2, 3, 4],
    );
    for (const p of s.points) assert.deepEqual(Object.keys(p.outstanding_per_device!), ['value', 'lo', 'hi']);
    assert.match(s.method, /measured in the replay/);
  });

  it('sharing: devices per PASID is m × IOMMUs with traffic', () => {
    const s = runAxisSweep(input(rows), { axis: 'sharing', seed: 1, seeds: 2, knobs: [1, 2, 8] });
    assert.deepEqual([...new Set(s.points.map((p) => [p.knob, p.devices_per_pasid].join(':')))], ['1:2', '2:4', '8:16']);
  });

  it('rejects knobs that are not on the axis', () => {
    assert.throws(
      () => runAxisSweep(input(rows), { axis: 'outstanding', seed: 1, knobs: [3] }),
      /outstanding knobs must be powers of two from 1\/1024 to 64, got 3/,
    );
    assert.throws(() => runAxisSweep(input(rows), { axis: 'sharing', seed: 1, knobs: [0] }), /sharing knobs must be integers from 1 to 256, got 0/);
  });
});
