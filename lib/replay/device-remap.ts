// Moves a prepared input's traffic onto other devices. Every request keeps its time, IOMMU,
// PASID, PRG index and group (groups were found on the recorded devices, so two groups that
// land on one device with the same PRG index stay two groups); only the device changes, and
// with it the RID the IOMMU sees and the (IOMMU, device, PASID) flows the models build their
// tables from. The engine reads devices only through the prepared input, so a remapped
// preparation replays with no engine change and nothing added to its hot loop. Used by the
// sweep's outstanding-groups and devices-per-PASID axes (sweep-axes.ts).

import { ReplayConfigError } from '../core/errors.ts';
import { FlowIds, STOP_MARKER, type PreparedInput } from './prepare.ts';

export interface DeviceRemap {
  /** New device of every request of the preparation, canonical order. */
  device: Int32Array;
  /** Name of each new device. */
  names: string[];
  /** RID of each new device (distinct, 16-bit). */
  rids: Int32Array;
  /** IOMMU of each new device. */
  iommuOf: Int32Array;
  /** When set, a device no request lands on is still bound (as a flow with this PASID), so it
   *  is on every shared PASID's device list; otherwise it does not exist for the models. */
  bindIdle: number | null;
}

export function remapDevices(prepared: PreparedInput, remap: DeviceRemap): PreparedInput {
  const n = prepared.count;
  const nD = remap.names.length;
  if (remap.device.length !== n) throw new ReplayConfigError('devices', `remap has ${remap.device.length} devices for ${n} requests`);
  if (remap.rids.length !== nD || remap.iommuOf.length !== nD)
    throw new ReplayConfigError('devices', `remap names ${nD} devices but gives ${remap.rids.length} RIDs and ${remap.iommuOf.length} IOMMUs`);
  const seen = new Set<number>();
  for (const r of remap.rids) {
    if (r < 0 || r > 0xffff) throw new ReplayConfigError('devices', `RID ${r} is not 16-bit`);
    if (seen.has(r)) throw new ReplayConfigError('devices', `RID ${r} is given to two devices`);
    seen.add(r);
  }
  const nI = prepared.iommus.length;
  const device = remap.device;
  const rid = new Int32Array(n);
  // Flows are (device, IOMMU, PASID): new devices make new flows, and every request's flow
  // id must name one of them (the models memoise lookups per flow).
  const reqFlow = new Int32Array(n).fill(-1);
  let maxPasid = 0;
  for (let f = 0; f < prepared.flowCount; f++) if (prepared.flowPasid[f]! > maxPasid) maxPasid = prepared.flowPasid[f]!;
  const flows = new FlowIds(nD * nI, maxPasid + 1);
  const flowIommu: number[] = [];
  const flowDevice: number[] = [];
  const flowPasid: number[] = [];
  const flowRid: number[] = [];
  for (let r = 0; r < n; r++) {
    const d = device[r]!;
    if (!(d >= 0 && d < nD)) throw new ReplayConfigError('devices', `request ${r}: device ${d} out of range`);
    rid[r] = remap.rids[d]!;
    // Stop markers make no flow (prepare.ts): they belong to no group and bind nothing.
    if (prepared.reqGroup[r] === STOP_MARKER) continue;
    const known = flows.count;
    const f = flows.id(d * nI + prepared.iommu[r]!, prepared.pasid[r]!);
    reqFlow[r] = f;
    if (f === known) {
      flowIommu.push(prepared.iommu[r]!);
      flowDevice.push(d);
      flowPasid.push(prepared.pasid[r]!);
      flowRid.push(rid[r]!);
    }
  }
  if (remap.bindIdle !== null) {
    const bound = new Set(flowDevice);
    for (let d = 0; d < nD; d++) {
      if (bound.has(d)) continue;
      flowIommu.push(remap.iommuOf[d]!);
      flowDevice.push(d);
      flowPasid.push(remap.bindIdle);
      flowRid.push(remap.rids[d]!);
    }
  }
  return {
    ...prepared,
    devices: remap.names,
    device,
    rid,
    reqFlow,
    flowCount: flowDevice.length,
    flowIommu: Int32Array.from(flowIommu),
    flowDevice: Int32Array.from(flowDevice),
    flowPasid: Int32Array.from(flowPasid),
    flowRid: Int32Array.from(flowRid),
  };
}
