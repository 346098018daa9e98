// Puts a ReplayInput into canonical order and finds its page request groups, once per
// input (runReplay calls it; the PASID sweep calls it once and replays many views of it).
// Canonical order is (ts, iommu name, rid, pasid, prgi, last, device name, perm), so rows
// with equal timestamps give the same replay whatever order the caller listed them in.
// Groups follow DESIGN §4a: a group's requests run from the first request after its
// (iommu, device, PASID, PRG index) key was last closed up to the request with Last set.

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
  openCount: number;
  groupCount: number;
  /** Canonical index of each group's last-page request. */
  groupLastReq: Int32Array;
  /** Requests per group, last included. */
  groupRequests: Int32Array;
  stopMarkers: number;
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
  // Most inputs are already canonical (sorted by time, few equal timestamps): check first.
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = cmp(i - 1, i) <= 0;
  if (sorted) return null;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let timeSorted = true;
  for (let i = 1; i < n && timeSorted; i++) timeSorted = tsNs[i - 1]! <= tsNs[i]!;
  if (!timeSorted) return order.sort(cmp);
  // Sorted by time: only runs of equal timestamps need ordering.
  for (let start = 0; start < n; ) {
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

function pick<T extends Float64Array | Int32Array | Uint8Array>(col: T, order: Int32Array | null, n: number): T {
  if (!order) return (col.length === n ? col : col.subarray(0, n)) as T;
  const out = new (col.constructor as new (len: number) => T)(n);
  for (let i = 0; i < n; i++) out[i] = col[order[i]!]!;
  return out;
}

export function prepareInput(input: ReplayInput): PreparedInput {
  validate(input);
  const n = input.count;
  const order = canonicalOrder(input);
  const tsNs = pick(input.tsNs, order, n);
  const iommu = pick(input.iommu, order, n);
  const rid = pick(input.rid, order, n);
  const pasid = pick(input.pasid, order, n);
  const prgi = pick(input.prgi, order, n);
  const last = pick(input.last, order, n);
  const device = pick(input.device, order, n);
  const perm = input.perm ? pick(input.perm, order, n) : null;

  const nIommu = input.iommus.length;
  const reqOpen = new Int32Array(n);
  const reqGroup = new Int32Array(n);
  const openToGroup: number[] = [];
  const open = new KeyMap();
  const groupLast: number[] = [];
  let stopMarkers = 0;
  for (let r = 0; r < n; r++) {
    const isLast = last[r] === 1;
    if (isLast && perm && (perm[r]! & (PERM_R | PERM_W)) === 0) {
      reqOpen[r] = -1;
      reqGroup[r] = STOP_MARKER;
      stopMarkers++;
      continue;
    }
    // (iommu, device) slot, then PASID (20 bits) and PRG index (9 bits): below 2^53.
    const key = ((device[r]! * nIommu + iommu[r]!) * 1048576 + pasid[r]!) * 512 + prgi[r]!;
    let o = open.get(key);
    if (o < 0) {
      o = openToGroup.length;
      openToGroup.push(UNFINISHED);
      open.set(key, o);
    }
    reqOpen[r] = o;
    if (isLast) {
      openToGroup[o] = groupLast.length;
      groupLast.push(r);
      open.set(key, -1);
    }
  }
  const groupCount = groupLast.length;
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
    openCount: openToGroup.length,
    groupCount,
    groupLastReq: Int32Array.from(groupLast),
    groupRequests,
    stopMarkers,
  };
}
