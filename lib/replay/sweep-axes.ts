// The two sweep axes the per-device costs grow with (replay-physics.md §8), beside the PASID
// sweep (sweep.ts): outstanding groups per device, and devices sharing one PASID. Both replay
// the same group sample at the same K seeds per model and structure as the PASID sweep, and
// both vary one thing only — which device each group belongs to (device-remap.ts) — so the
// arrival times, the IOMMU each request reaches, the PASIDs and the groups stay as recorded:
// the PRQs, drain threads and workers see the same traffic at every point.
//
// outstanding: the knob is devices per recorded device, f. Below 1 the recorded devices of
//   each IOMMU are merged, ⌈1/f⌉ neighbours (by name) into one, so each device has more groups
//   in flight; above 1 each recorded device's groups are dealt over f devices by a hash of the
//   group, so fewer. f = 1 is the trace as recorded. A merged device binds the union of its
//   PASIDs, a split one the PASIDs of its groups. The x value is not the knob but the mean
//   number of groups each device had in flight, measured in the replay (meanOutstanding).
// sharing: the knob is devices per IOMMU, m. Each IOMMU's groups are dealt over m devices by a
//   hash of the group, and every device binds every PASID of the trace (the SharedPasids of
//   the PASID sweep, with the trace's own PASIDs), so m × (IOMMUs with traffic) devices share
//   each PASID: the svm->devs walk and the attachment count grow with it. Spreading the same
//   traffic over more devices also lowers the groups each device has in flight; that is
//   measured and reported beside it.

import { ReplayConfigError } from '../core/errors.ts';
import { remapDevices, type DeviceRemap } from './device-remap.ts';
import { makeView, replayPrepared } from './engine.ts';
import { predictionInterval, type Interval } from './intervals.ts';
import type { StructureKind } from './lookup/types.ts';
import type { SharedPasids } from './models/types.ts';
import type { ReplayParams } from './params.ts';
import { prepareInput, type PreparedInput } from './prepare.ts';
import { defaultPresetForModel } from './presets.ts';
import { DEFAULT_STRUCTURES, DEFAULT_SWEEP_SEEDS, HYPOTHETICAL, mix, pointFigures, type PointFigures } from './sweep.ts';
import { MODEL_NAMES, type ModelName, type ReplayInput, type ReplaySummary } from './types.ts';

export const SWEEP_AXES = ['pasids', 'outstanding', 'sharing'] as const;
export type SweepAxis = (typeof SWEEP_AXES)[number];
export type DeviceAxis = Exclude<SweepAxis, 'pasids'>;

/** Devices per recorded device: 1/16 (merge 16 into one) … 16 (split each into 16). */
export const DEFAULT_OUTSTANDING_KNOBS: readonly number[] = [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8, 16];
/** Devices per IOMMU, every one bound to every PASID of the trace. */
export const DEFAULT_SHARING_KNOBS: readonly number[] = [1, 2, 4, 8, 16, 32, 64];

export interface AxisSweepOptions {
  axis: DeviceAxis;
  seed: number;
  params?: Partial<Record<ModelName, ReplayParams>>;
  models?: readonly ModelName[];
  structures?: Partial<Record<ModelName, readonly StructureKind[]>>;
  /** Knob values (see the module comment); default DEFAULT_OUTSTANDING_KNOBS / DEFAULT_SHARING_KNOBS. */
  knobs?: readonly number[];
  /** Groups replayed per point at most (a prefix of the input). Default 50 000, as the PASID sweep. */
  maxGroupsPerPoint?: number;
  /** Seeds per point. Default 3, as the PASID sweep. */
  seeds?: number;
}

export interface AxisPoint extends PointFigures {
  axis: DeviceAxis;
  /** The nominal knob: devices per recorded device (outstanding) or devices per IOMMU (sharing). */
  knob: number;
  /** Devices with at least one replayed group. */
  devices: number;
  /** Mean groups in flight per device (first request → response at the device), measured in
   *  each seed's replay: mean over seeds and the range one more seed lands in. */
  outstanding_per_device: Interval | null;
  /** Devices bound to a PASID, mean over the PASIDs. */
  devices_per_pasid: number;
  model: ModelName;
  structure: StructureKind;
  hypothetical: boolean;
  sampled_groups: number;
}

export interface AxisSweepResult {
  axis: DeviceAxis;
  seed: number;
  seeds: number[];
  groups: number;
  params: Partial<Record<ModelName, ReplayParams>>;
  /** How the axis is varied, in one paragraph (shown on the page and in the CLI). */
  method: string;
  note: string;
  points: AxisPoint[];
}

export const AXIS_METHOD: Record<DeviceAxis, string> = {
  outstanding:
    "Each group keeps its time, IOMMU, PASID and PRG index; only its device changes. Below 1 device per recorded device, neighbouring recorded devices of an IOMMU are merged into one (each has more groups in flight); above 1, each recorded device's groups are dealt over several devices by a hash of the group (fewer in flight). 1 is the trace as recorded. The x value is the mean number of groups a device has in flight (first request → response at the device, time-averaged over the replay), measured in the replay, not the knob.",
  sharing:
    "Each IOMMU's groups are dealt over m devices by a hash of the group, keeping every group's time, IOMMU, PASID and PRG index, and every device binds every PASID of the trace, so m × (IOMMUs with traffic) devices share each PASID. The same traffic over more devices also leaves fewer groups in flight per device; that is measured and shown beside it.",
};

export function runAxisSweep(input: ReplayInput, options: AxisSweepOptions): AxisSweepResult {
  return sweepAxisPrepared(prepareInput(input), options);
}

/** A recorded (IOMMU, device) pair: the unit the outstanding axis merges and splits. */
interface Unit {
  iommu: number;
  name: string;
  rid: number;
}

/** The recorded (IOMMU, device) pairs, each IOMMU's ranked by device name, and each request's pair. */
function recordedUnits(p: PreparedInput): { unitOf: Int32Array; units: Unit[]; byIommu: number[][] } {
  const nD = p.devices.length;
  const slot = new Int32Array(p.iommus.length * nD).fill(-1);
  const unitOf = new Int32Array(p.count);
  const units: Unit[] = [];
  for (let r = 0; r < p.count; r++) {
    const key = p.iommu[r]! * nD + p.device[r]!;
    let u = slot[key]!;
    if (u < 0) {
      slot[key] = u = units.length;
      units.push({ iommu: p.iommu[r]!, name: p.devices[p.device[r]!]!, rid: p.rid[r]! });
    }
    unitOf[r] = u;
  }
  const byIommu: number[][] = p.iommus.map(() => []);
  units.forEach((u, k) => byIommu[u.iommu]!.push(k));
  for (const list of byIommu) list.sort((a, b) => (units[a]!.name < units[b]!.name ? -1 : units[a]!.name > units[b]!.name ? 1 : a - b));
  return { unitOf, units, byIommu };
}

/** RIDs for devices the trace does not have: the lowest free ones on a devfn-step grid, as bus 0 enumerates. */
function ridSource(p: PreparedInput): () => number {
  const used = new Set<number>(p.rid.subarray(0, p.count));
  let next = 0;
  return () => {
    while (used.has(next)) next += 8;
    if (next > 0xffff) throw new ReplayConfigError('knobs', 'more devices than free 16-bit RIDs');
    used.add(next);
    return next;
  };
}

/** Hash of a request's group (stop markers: of the request) for dealing groups over devices. */
function groupHash(p: PreparedInput, r: number, salt: number): number {
  const o = p.reqOpen[r]!;
  return mix(o >= 0 ? o : p.count + r, salt);
}

/** The outstanding axis at f devices per recorded device (module comment). */
export function outstandingRemap(p: PreparedInput, f: number, salt: number): DeviceRemap {
  const { unitOf, units, byIommu } = recordedUnits(p);
  const freshRid = ridSource(p);
  const names: string[] = [];
  const rids: number[] = [];
  const iommuOf: number[] = [];
  /** First new device of each unit; with a split, its f devices follow it. */
  const first = new Int32Array(units.length);
  const k = f < 1 ? Math.round(1 / f) : Math.round(f);
  for (const list of byIommu) {
    list.forEach((u, j) => {
      const unit = units[u]!;
      if (f < 1) {
        if (j % k === 0) {
          const merged = Math.min(k, list.length - j);
          names.push(merged > 1 ? `${unit.name} +${merged - 1}` : unit.name);
          rids.push(unit.rid);
          iommuOf.push(unit.iommu);
        }
        first[u] = names.length - 1;
      } else {
        first[u] = names.length;
        for (let s = 0; s < k; s++) {
          names.push(k > 1 ? `${unit.name}#${s}` : unit.name);
          rids.push(s === 0 ? unit.rid : freshRid());
          iommuOf.push(unit.iommu);
        }
      }
    });
  }
  const device = new Int32Array(p.count);
  for (let r = 0; r < p.count; r++) device[r] = first[unitOf[r]!]! + (f > 1 ? groupHash(p, r, salt) % k : 0);
  // A split device no group landed on binds nothing: it does not exist for the models.
  return { device, names, rids: Int32Array.from(rids), iommuOf: Int32Array.from(iommuOf), bindIdle: null };
}

/** The sharing axis at m devices per IOMMU with traffic (module comment). */
export function sharingRemap(p: PreparedInput, m: number, salt: number): DeviceRemap {
  const { units, byIommu } = recordedUnits(p);
  const freshRid = ridSource(p);
  const names: string[] = [];
  const rids: number[] = [];
  const iommuOf: number[] = [];
  const base = new Int32Array(p.iommus.length).fill(-1);
  byIommu.forEach((list, i) => {
    if (list.length === 0) return;
    base[i] = names.length;
    for (let s = 0; s < m; s++) {
      names.push(`${p.iommus[i]}/dev${s}`);
      // The first devices keep the recorded devices' RIDs, so their lookups find them where they were.
      rids.push(s < list.length ? units[list[s]!]!.rid : freshRid());
      iommuOf.push(i);
    }
  });
  const device = new Int32Array(p.count);
  for (let r = 0; r < p.count; r++) device[r] = base[p.iommu[r]!]! + (groupHash(p, r, salt) % m);
  // Every device binds every PASID, faulting or not: a device no group landed on is still on the lists.
  return { device, names, rids: Int32Array.from(rids), iommuOf: Int32Array.from(iommuOf), bindIdle: p.flowPasid[0] ?? 0 };
}

/** Time of each group's first request (the canonical order is by time). */
export function groupFirstRequestNs(p: PreparedInput): Float64Array {
  const first = new Float64Array(p.groupCount).fill(NaN);
  for (let r = 0; r < p.count; r++) {
    const g = p.reqGroup[r]!;
    if (g >= 0 && Number.isNaN(first[g]!)) first[g] = p.tsNs[r]!;
  }
  return first;
}

/**
 * Mean groups in flight per device over a replay: Σ (response at the device − first request)
 * over the answered groups among the first G, divided by the span (earliest first request →
 * latest response of those groups) and by the devices that have one of the G groups. That is
 * the time-average of each device's in-flight count, averaged over the devices. Null when no
 * group was answered. groupDevice: device of each group; doneNs: NaN for unanswered groups.
 */
export function meanOutstanding(firstNs: Float64Array, doneNs: Float64Array, groupDevice: Int32Array, G: number): number | null {
  let sum = 0;
  let from = Infinity;
  let to = -Infinity;
  const devices = new Set<number>();
  for (let g = 0; g < G; g++) {
    devices.add(groupDevice[g]!);
    const done = doneNs[g]!;
    if (Number.isNaN(done)) continue;
    sum += done - firstNs[g]!;
    if (firstNs[g]! < from) from = firstNs[g]!;
    if (done > to) to = done;
  }
  if (!(to > from)) return to === from ? 0 : null;
  return sum / (to - from) / devices.size;
}

/** Devices bound to each PASID (by the flows: a device binds the PASIDs it faults on), mean over the PASIDs. */
export function devicesPerPasid(p: PreparedInput): number {
  const byPasid = new Map<number, Set<number>>();
  for (let f = 0; f < p.flowCount; f++) {
    let s = byPasid.get(p.flowPasid[f]!);
    if (!s) byPasid.set(p.flowPasid[f]!, (s = new Set()));
    s.add(p.flowDevice[f]!);
  }
  let total = 0;
  for (const s of byPasid.values()) total += s.size;
  return byPasid.size === 0 ? 0 : total / byPasid.size;
}

function checkKnobs(axis: DeviceAxis, knobs: readonly number[]): void {
  for (const k of knobs) {
    const ok =
      axis === 'outstanding'
        ? Number.isFinite(k) && k > 0 && Number.isInteger(Math.log2(k)) && k >= 1 / 1024 && k <= 64
        : Number.isInteger(k) && k >= 1 && k <= 256;
    if (!ok) {
      const want = axis === 'outstanding' ? 'powers of two from 1/1024 to 64' : 'integers from 1 to 256';
      throw new ReplayConfigError('knobs', `${axis} knobs must be ${want}, got ${k}`);
    }
  }
}

export function sweepAxisPrepared(prepared: PreparedInput, options: AxisSweepOptions): AxisSweepResult {
  const { axis, seed } = options;
  if (axis !== 'outstanding' && axis !== 'sharing') throw new ReplayConfigError('axis', `must be outstanding or sharing, got ${String(axis)}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ReplayConfigError('seed', `must be a non-negative safe integer, got ${seed}`);
  const k = options.seeds ?? DEFAULT_SWEEP_SEEDS;
  if (!Number.isInteger(k) || k < 1 || k > 64) throw new ReplayConfigError('seeds', `must be an integer in [1, 64], got ${k}`);
  const knobs = options.knobs ?? (axis === 'outstanding' ? DEFAULT_OUTSTANDING_KNOBS : DEFAULT_SHARING_KNOBS);
  checkKnobs(axis, knobs);
  const models = options.models ?? MODEL_NAMES;
  const seeds = Array.from({ length: k }, (_, i) => seed + i);
  const params: Partial<Record<ModelName, ReplayParams>> = {};
  for (const m of models) params[m] = options.params?.[m] ?? defaultPresetForModel(m).params;
  const maxGroups = options.maxGroupsPerPoint ?? 50_000;
  const G = makeView(prepared, { maxGroups }).groupCount;
  const firstNs = groupFirstRequestNs(prepared);
  // Merging stops changing anything once every IOMMU is down to one device.
  const { byIommu } = recordedUnits(prepared);
  const mostPerIommu = Math.max(1, ...byIommu.map((l) => l.length));
  // sharing: the trace's PASIDs in order of first use, bound to every device; the structures
  // depend only on the PASIDs, so one set serves every point.
  const shared: SharedPasids | undefined = axis === 'sharing' ? { pasids: Int32Array.from(new Set(prepared.flowPasid)), structures: new Map() } : undefined;
  const groupDevice = new Int32Array(G);
  const points: AxisPoint[] = [];
  for (const knob of knobs) {
    if (axis === 'outstanding' && knob < 1 && Math.round(1 / knob) / 2 >= mostPerIommu) continue;
    // The salt depends on the knob's value, not its position, so any subset of knobs (a shard) deals groups alike.
    const salt = mix(Math.round(knob * 1024), seed >>> 0);
    const remapped = remapDevices(prepared, axis === 'outstanding' ? outstandingRemap(prepared, knob, salt) : sharingRemap(prepared, knob, salt));
    for (let g = 0; g < G; g++) groupDevice[g] = remapped.device[prepared.groupLastReq[g]!]!;
    const devices = new Set(groupDevice).size;
    const perPasid = shared ? new Set(remapped.flowDevice).size : devicesPerPasid(remapped);
    for (const model of models) {
      for (const structure of options.structures?.[model] ?? DEFAULT_STRUCTURES[model]) {
        const p = { ...params[model]!, structure };
        const outstanding: (number | null)[] = [];
        const runs: ReplaySummary[] = seeds.map((sd) => {
          const res = replayPrepared(remapped, model, p, sd, { queueDepthBuckets: 1, summaryOnly: true }, { maxGroups, ...(shared ? { shared } : {}) });
          // The per-group arrays are scratch: read them before the next replay.
          outstanding.push(meanOutstanding(firstNs, res.groups.doneNs, groupDevice, G));
          return res.summary;
        });
        points.push({
          axis,
          knob,
          devices,
          outstanding_per_device: predictionInterval(outstanding, { nonNegative: true }),
          devices_per_pasid: perPasid,
          model,
          structure,
          ...pointFigures(runs),
          hypothetical: HYPOTHETICAL.includes(structure),
          sampled_groups: G,
        });
      }
    }
  }
  return {
    axis,
    seed,
    seeds,
    groups: prepared.groupCount,
    params,
    method: AXIS_METHOD[axis],
    note:
      `every structure at a point replays the same ${G} groups (the first ${maxGroups} at most) at seeds ${seeds.join(', ')}; ` +
      `only the device of each group changes between points; list and hash are hypothetical (no kernel uses them for PASID → domain)`,
    points,
  };
}
