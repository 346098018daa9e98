// Puts a ReplayInput into canonical order — (ts, iommu name, rid, pasid, prgi, last, device
// name, perm), so equal-timestamp rows replay the same in any order — and finds its groups
// (DESIGN §4a: from the first request after the key was last closed up to Last) and flows.
// Called once per input by runReplay; the sweep replays many views of one preparation.

import { ReplayConfigError } from '../core/errors.ts';
import { PERM_R, PERM_W, type ReplayInput } from './types.ts';

/** reqGroup value of a request whose group never got its last page in the input. */
export const UNFINISHED = -1;
/** reqGroup value of a Stop Marker (Last with neither read nor write): no group, no response. */
export const STOP_MARKER = -2;

export interface PreparedInput {
  count: number;
  iommus: string[];
  devices: string[];
  /** Canonical position → index in the caller's input (identity when null). */
  order: Int32Array | null;
  tsNs: Float64Array;
  iommu: Int32Array;
  rid: Int32Array;
  pasid: Int32Array;
  prgi: Int32Array;
  last: Uint8Array;
  device: Int32Array;
  /** Completed group id (ordered by last-page request), UNFINISHED or STOP_MARKER. */
  reqGroup: Int32Array;
  /** Open-group id of every request (completed or not), −1 for Stop Markers. */
  reqOpen: Int32Array;
  /** Flow (index into flow*) of every request, −1 for Stop Markers. */
  reqFlow: Int32Array;
  openCount: number;
  groupCount: number;
  /** Canonical index of each group's last-page request. */
  groupLastReq: Int32Array;
  /** Requests per group, last included. */
  groupRequests: Int32Array;
  stopMarkers: number;
  /** (iommu, device, PASID) flows in order of first request, and the RID that used it
   *  first: what the models build their PASID tables and device lists from. */
  flowCount: number;
  flowIommu: Int32Array;
  flowDevice: Int32Array;
  flowPasid: Int32Array;
  flowRid: Int32Array;
  /** Recorded invalidations of IOMMU i at invTs[invStart[i] … invStart[i + 1]], by time. */
  invStart: Int32Array;
  invTs: Float64Array;
  invKind: Uint8Array;
}

function prepareInvalidations(input: ReplayInput): { invStart: Int32Array; invTs: Float64Array; invKind: Uint8Array } {
  const nI = input.iommus.length;
  const inv = input.invalidations;
  const invStart = new Int32Array(nI + 1);
  if (!inv || inv.count === 0) return { invStart, invTs: new Float64Array(0), invKind: new Uint8Array(0) };
  const idx: number[] = [];
  for (let k = 0; k < inv.count; k++) {
    const t = inv.tsNs[k]!;
    const i = inv.iommu[k]!;
    if (!Number.isFinite(t)) throw new ReplayConfigError('input', `invalidation ${k}: tsNs ${t} is not finite`);
    if (i >= nI) throw new ReplayConfigError('input', `invalidation ${k}: iommu index ${i} out of range`);
    if (i >= 0) idx.push(k);
  }
  idx.sort((a, b) => inv.iommu[a]! - inv.iommu[b]! || inv.tsNs[a]! - inv.tsNs[b]! || a - b);
  const invTs = new Float64Array(idx.length);
  const invKind = new Uint8Array(idx.length);
  idx.forEach((k, j) => {
    invTs[j] = inv.tsNs[k]!;
    invKind[j] = inv.kind[k]!;
    invStart[inv.iommu[k]! + 1]!++;
  });
  for (let i = 0; i < nI; i++) invStart[i + 1]! += invStart[i]!;
  return { invStart, invTs, invKind };
}

function validate(input: ReplayInput): void {
  const n = input.count;
  if (!Number.isInteger(n) || n < 0) throw new ReplayConfigError('input', `count must be a non-negative integer, got ${n}`);
  const cols = ['tsNs', 'iommu', 'rid', 'pasid', 'prgi', 'last', 'device'] as const;
  for (const c of cols) {
    if (input[c].length < n) throw new ReplayConfigError('input', `column ${c} has ${input[c].length} values for ${n} requests`);
  }
  if (input.perm && input.perm.length < n) throw new ReplayConfigError('input', `column perm has ${input.perm.length} values for ${n} requests`);
  for (let i = 0; i < n; i++) {
    const t = input.tsNs[i]!;
    if (!(t >= 0) || t > Number.MAX_SAFE_INTEGER) throw new ReplayConfigError('input', `request ${i}: tsNs ${t} is not in [0, 2^53)`);
    const io = input.iommu[i]!;
    if (io < 0 || io >= input.iommus.length) throw new ReplayConfigError('input', `request ${i}: iommu index ${io} out of range`);
    const d = input.device[i]!;
    if (d < 0 || d >= input.devices.length) throw new ReplayConfigError('input', `request ${i}: device index ${d} out of range`);
    const rid = input.rid[i]!;
    if (rid < 0 || rid > 0xffff) throw new ReplayConfigError('input', `request ${i}: rid ${rid} is not 16-bit`);
    const pasid = input.pasid[i]!;
    if (pasid < 0 || pasid > 0xfffff) throw new ReplayConfigError('input', `request ${i}: pasid ${pasid} is not 20-bit`);
    const prgi = input.prgi[i]!;
    if (prgi < 0 || prgi > 511) throw new ReplayConfigError('input', `request ${i}: prgi ${prgi} is not 9-bit`);
  }
}

/** Rank of each name in sorted order, so comparisons do not depend on index assignment. */
function nameRanks(names: readonly string[]): Int32Array {
  const idx = names.map((_, i) => i).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : a - b));
  const rank = new Int32Array(names.length);
  idx.forEach((orig, r) => (rank[orig] = r));
  return rank;
}

function canonicalOrder(input: ReplayInput): Int32Array | null {
  const n = input.count;
  const { tsNs, iommu, rid, pasid, prgi, last, device, perm } = input;
  const iommuRank = nameRanks(input.iommus);
  const deviceRank = nameRanks(input.devices);
  const cmp = (a: number, b: number): number =>
    tsNs[a]! - tsNs[b]! ||
    iommuRank[iommu[a]!]! - iommuRank[iommu[b]!]! ||
    rid[a]! - rid[b]! ||
    pasid[a]! - pasid[b]! ||
    prgi[a]! - prgi[b]! ||
    last[a]! - last[b]! ||
    deviceRank[device[a]!]! - deviceRank[device[b]!]! ||
    (perm ? perm[a]! - perm[b]! : 0);
  // Most inputs are already canonical (sorted by time, few equal timestamps): check first,
  // comparing the other fields only where timestamps tie.
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    const dt = tsNs[i]! - tsNs[i - 1]!;
    sorted = dt > 0 || (dt === 0 && cmp(i - 1, i) <= 0);
  }
  if (sorted) return null;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let timeSorted = true;
  for (let i = 1; i < n && timeSorted; i++) timeSorted = tsNs[i - 1]! <= tsNs[i]!;
  if (!timeSorted) return order.sort(cmp);
  // Sorted by time: only runs of equal timestamps need ordering.
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && tsNs[end] === tsNs[start]) end++;
    if (end - start > 1) order.subarray(start, end).sort(cmp);
    start = end;
  }
  return order;
}

/** Open-addressing map from float64 keys (< 2^53) to int32, for the group scan. */
class KeyMap {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private size = 0;

  constructor() {
    this.keys = new Float64Array(1024).fill(-1);
    this.vals = new Int32Array(1024);
    this.mask = 1023;
  }

  private slot(key: number): number {
    const lo = key >>> 0;
    const hi = (key / 4294967296) >>> 0;
    let i = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) & this.mask;
    while (this.keys[i] !== key && this.keys[i] !== -1) i = (i + 1) & this.mask;
    return i;
  }

  get(key: number): number {
    const i = this.slot(key);
    return this.keys[i] === key ? this.vals[i]! : -1;
  }

  set(key: number, value: number): void {
    const i = this.slot(key);
    if (this.keys[i] !== key) {
      this.keys[i] = key;
      if (++this.size * 2 > this.keys.length) {
        this.vals[i] = value;
        this.grow();
        return;
      }
    }
    this.vals[i] = value;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Float64Array(oldKeys.length * 2).fill(-1);
    this.vals = new Int32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] === -1) continue;
      const i = this.slot(oldKeys[j]!);
      this.keys[i] = oldKeys[j]!;
      this.vals[i] = oldVals[j]!;
    }
  }
}

// One copy function per element type keeps each loop monomorphic (a generic one was the
// slowest part of preparing a million groups).
function permuteF64(col: Float64Array, order: Int32Array | null, n: number): Float64Array {
  if (!order) return col.length === n ? col : col.subarray(0, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = col[order[i]!]!;
  return out;
}

function permuteI32(col: Int32Array, order: Int32Array | null, n: number): Int32Array {
  if (!order) return col.length === n ? col : col.subarray(0, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = col[order[i]!]!;
  return out;
}

function permuteU8(col: Uint8Array, order: Int32Array | null, n: number): Uint8Array {
  if (!order) return col.length === n ? col : col.subarray(0, n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = col[order[i]!]!;
  return out;
}

/**
 * Flow ids for (iommu, device, PASID): a direct table when the key space is small (the
 * usual case: a few devices, dense PASIDs), a hash map otherwise.
 */
export class FlowIds {
  private readonly direct: Int32Array | null;
  private readonly map: KeyMap | null;
  count = 0;

  constructor(
    private readonly slots: number,
    private readonly pasidSpan: number,
  ) {
    const size = slots * pasidSpan;
    this.direct = size <= 1 << 22 ? new Int32Array(size).fill(-1) : null;
    this.map = this.direct ? null : new KeyMap();
  }

  id(slot: number, pasid: number): number {
    const key = slot * this.pasidSpan + pasid;
    if (this.direct) {
      let f = this.direct[key]!;
      if (f < 0) this.direct[key] = f = this.count++;
      return f;
    }
    let f = this.map!.get(key);
    if (f < 0) this.map!.set(key, (f = this.count++));
    return f;
  }
}

export function prepareInput(input: ReplayInput): PreparedInput {
  validate(input);
  const n = input.count;
  const order = canonicalOrder(input);
  const tsNs = permuteF64(input.tsNs, order, n);
  const iommu = permuteI32(input.iommu, order, n);
  const rid = permuteI32(input.rid, order, n);
  const pasid = permuteI32(input.pasid, order, n);
  const prgi = permuteI32(input.prgi, order, n);
  const last = permuteU8(input.last, order, n);
  const device = permuteI32(input.device, order, n);
  const perm = input.perm ? permuteU8(input.perm, order, n) : null;

  const nIommu = input.iommus.length;
  let maxPasid = 0;
  for (let r = 0; r < n; r++) if (pasid[r]! > maxPasid) maxPasid = pasid[r]!;
  const flows = new FlowIds(input.devices.length * nIommu, maxPasid + 1);
  // Open group of each (flow, PRG index), −1 when none is open.
  let openOf: Int32Array = new Int32Array(512 * 64).fill(-1);
  const reqOpen = new Int32Array(n);
  const reqFlow = new Int32Array(n);
  const reqGroup = new Int32Array(n);
  let openToGroup: Int32Array = new Int32Array(1024);
  let openCount = 0;
  let groupLast: Int32Array = new Int32Array(1024);
  let groupCount = 0;
  let stopMarkers = 0;
  let flowIommu: Int32Array = new Int32Array(64);
  let flowDevice: Int32Array = new Int32Array(64);
  let flowPasid: Int32Array = new Int32Array(64);
  let flowRid: Int32Array = new Int32Array(64);
  for (let r = 0; r < n; r++) {
    const isLast = last[r] === 1;
    if (isLast && perm && (perm[r]! & (PERM_R | PERM_W)) === 0) {
      reqOpen[r] = -1;
      reqFlow[r] = -1;
      reqGroup[r] = STOP_MARKER;
      stopMarkers++;
      continue;
    }
    const known = flows.count;
    const flow = flows.id(device[r]! * nIommu + iommu[r]!, pasid[r]!);
    if (flow === known) {
      if (flow === flowIommu.length) {
        flowIommu = grow(flowIommu);
        flowDevice = grow(flowDevice);
        flowPasid = grow(flowPasid);
        flowRid = grow(flowRid);
      }
      flowIommu[flow] = iommu[r]!;
      flowDevice[flow] = device[r]!;
      flowPasid[flow] = pasid[r]!;
      flowRid[flow] = rid[r]!;
    }
    reqFlow[r] = flow;
    const key = flow * 512 + prgi[r]!;
    if (key >= openOf.length) {
      const grown = new Int32Array(Math.max(openOf.length * 2, key + 512)).fill(-1);
      grown.set(openOf);
      openOf = grown;
    }
    let o = openOf[key]!;
    if (o < 0) {
      if (openCount === openToGroup.length) openToGroup = grow(openToGroup);
      o = openCount++;
      openToGroup[o] = UNFINISHED;
      openOf[key] = o;
    }
    reqOpen[r] = o;
    if (isLast) {
      if (groupCount === groupLast.length) groupLast = grow(groupLast);
      openToGroup[o] = groupCount;
      groupLast[groupCount++] = r;
      openOf[key] = -1;
    }
  }
  const groupRequests = new Int32Array(groupCount);
  for (let r = 0; r < n; r++) {
    const o = reqOpen[r]!;
    if (o < 0) continue;
    const g = openToGroup[o]!;
    reqGroup[r] = g;
    if (g >= 0) groupRequests[g]!++;
  }
  return {
    count: n,
    iommus: input.iommus,
    devices: input.devices,
    order,
    tsNs,
    iommu,
    rid,
    pasid,
    prgi,
    last,
    device,
    reqGroup,
    reqOpen,
    reqFlow,
    openCount,
    groupCount,
    groupLastReq: groupLast.slice(0, groupCount),
    groupRequests,
    stopMarkers,
    flowCount: flows.count,
    flowIommu: flowIommu.slice(0, flows.count),
    flowDevice: flowDevice.slice(0, flows.count),
    flowPasid: flowPasid.slice(0, flows.count),
    flowRid: flowRid.slice(0, flows.count),
    ...prepareInvalidations(input),
  };
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
