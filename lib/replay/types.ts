// The replay's input and output types and replayInputFromRequests, which the store layer
// uses to build an input from DuckDB rows. Times inside the engine are float64 ns relative
// to the first request — a deliberate departure from the project's bigint-ns rule, for
// speed; exact for integers below 2^53 ns (≈ 104 days), far beyond any trace.

import { ReplayConfigError } from '../core/errors.ts';
import type { ReplayParams } from './params.ts';
import type { ParamsProvenance } from './presets.ts';
import type { HoldoutCalibration } from './holdout.ts';
import type { SeedSamples } from './seed-samples.ts';

export type { StructureKind } from './lookup/types.ts';

/** Stages of a group's life, request generated → response at the device, in order. */
export const STAGE_TIMES = ['credit_wait', 'overflow_retry', 'prq_drain', 'workqueue', 'service', 'response', 'qi'] as const;
export type StageTimeName = (typeof STAGE_TIMES)[number];
export const LOCK_WAITS = ['drain_fault_param', 'response_fault_param', 'pasid_mutex', 'q_lock', 'qi_hw'] as const;

export type ModelName = 'per-device' | 'domain-wide';
export const MODEL_NAMES: readonly ModelName[] = ['per-device', 'domain-wide'];

/** Permission bits of a request (the `perm` column): read, write, execute, privileged. */
export const PERM_R = 1;
export const PERM_W = 2;
export const PERM_X = 4;
export const PERM_P = 8;

/** Page requests in arrival order, one column per field. */
export interface ReplayInput {
  count: number;
  /** Arrival at the PRQ, ns relative to the first request (see the module comment on
   *  float64). A recorded trace gives prq_report times, which already include the drain the
   *  replay adds again: a bias of about irqLatencyNs + drainPerDescNs on device latency,
   *  no systematic one on latency_ns (measured from the replayed report, as a trace is). */
  tsNs: Float64Array;
  /** Absolute time of tsNs = 0, so results can be mapped back to trace time. */
  originNs?: bigint;
  /** Index into iommus. */
  iommu: Int32Array;
  iommus: string[];
  /** Requester ID, bus << 8 | devfn. */
  rid: Int32Array;
  /** 20-bit PASID. */
  pasid: Int32Array;
  /** 9-bit page request group index. */
  prgi: Int32Array;
  /** 1 when the request carries Last Page In Group. */
  last: Uint8Array;
  /** Index into devices. */
  device: Int32Array;
  devices: string[];
  /** PERM_* bits. Optional: without it no request can be recognised as a Stop Marker. */
  perm?: Uint8Array;
  /** Recorded invalidations (qi_submit context events other than page group responses),
   *  replayed as load on the same invalidation queue. Optional. */
  invalidations?: RecordedInvalidations;
}

/** INV_* kinds: what a recorded invalidation costs the queue's hardware. */
export const INV_IOTLB = 0;
export const INV_DEVTLB = 1;

export interface RecordedInvalidations {
  count: number;
  /** ns relative to the input's origin (may be negative: before the first request). */
  tsNs: Float64Array;
  /** Index into the input's iommus; −1 for an IOMMU with no page requests (ignored). */
  iommu: Int32Array;
  /** INV_IOTLB or INV_DEVTLB. */
  kind: Uint8Array;
}

/** The kind of a qi_submit descriptor type name: device-TLB invalidations wait for the device. */
export function invalidationKind(type: string): number {
  return /dev_?tlb|devtlb|dev_iotlb/i.test(type) ? INV_DEVTLB : INV_IOTLB;
}

export interface RequestRow {
  tsNs: bigint;
  /** IOMMU name; traces that do not say (vendor dev_fault) can pass '' for one unnamed IOMMU. */
  iommu: string;
  device: string;
  /** Requester ID; when a trace has none it is derived from the PCI name (see ridOfDevice). */
  rid?: number | null;
  pasid: number;
  prgi: number;
  last: boolean;
  /** Letters from `rwxp`; null or absent when the trace does not say. */
  perm?: string | null;
}

/** Parses permission letters (`rw`, `r`, `r---l`-style dashes are ignored) into PERM_* bits. */
export function permBits(letters: string): number {
  let bits = 0;
  for (const c of letters) {
    if (c === 'r') bits |= PERM_R;
    else if (c === 'w') bits |= PERM_W;
    else if (c === 'x') bits |= PERM_X;
    else if (c === 'p') bits |= PERM_P;
  }
  return bits;
}

/**
 * The RID of a PCI device name `DDDD:BB:DD.F` (bus << 8 | device << 3 | function), or null
 * when the name is not one.
 */
export function ridOfDevice(name: string): number | null {
  const m = /^(?:[0-9a-fA-F]{4}:)?([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\.([0-7])$/.exec(name);
  if (!m) return null;
  const dev = Number.parseInt(m[2]!, 16);
  if (dev > 0x1f) return null;
  return (Number.parseInt(m[1]!, 16) << 8) | (dev << 3) | Number(m[3]);
}

/**
 * Builds a ReplayInput from request rows in any order. Names of IOMMUs and devices are
 * indexed in sorted order, so the same rows in another order give the same input.
 * The perm column is kept only when every row has one. A row without a RID takes its
 * device's PCI RID, or, for a name that is not a PCI address, 0x10000 − 1 − device index
 * (RIDs only have to tell the devices apart).
 */
export function replayInputFromRequests(rows: readonly RequestRow[]): ReplayInput {
  const count = rows.length;
  let origin = 0n;
  for (let i = 0; i < count; i++) {
    const t = rows[i]!.tsNs;
    if (i === 0 || t < origin) origin = t;
  }
  const iommus = [...new Set(rows.map((r) => r.iommu))].sort();
  const devices = [...new Set(rows.map((r) => r.device))].sort();
  const iommuIndex = new Map(iommus.map((n, i) => [n, i]));
  const deviceIndex = new Map(devices.map((n, i) => [n, i]));
  const input: ReplayInput = {
    count,
    tsNs: new Float64Array(count),
    originNs: origin,
    iommu: new Int32Array(count),
    iommus,
    rid: new Int32Array(count),
    pasid: new Int32Array(count),
    prgi: new Int32Array(count),
    last: new Uint8Array(count),
    device: new Int32Array(count),
    devices,
  };
  const allPerms = count > 0 && rows.every((r) => typeof r.perm === 'string');
  const perm = allPerms ? new Uint8Array(count) : undefined;
  for (let i = 0; i < count; i++) {
    const r = rows[i]!;
    const rel = r.tsNs - origin;
    if (rel > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ReplayConfigError('input', `request ${i} is more than 2^53 ns after the first one`);
    }
    input.tsNs[i] = Number(rel);
    input.iommu[i] = iommuIndex.get(r.iommu)!;
    input.device[i] = deviceIndex.get(r.device)!;
    input.rid[i] = r.rid ?? ridOfDevice(r.device) ?? 0xffff - input.device[i]!;
    input.pasid[i] = r.pasid;
    input.prgi[i] = r.prgi;
    input.last[i] = r.last ? 1 : 0;
    if (perm) perm[i] = permBits(r.perm as string);
  }
  if (perm) input.perm = perm;
  return input;
}

export interface LatencyPercentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export interface LookupSummary {
  visits_mean: number | null;
  visits_p99: number | null;
  ns_mean: number | null;
  ns_p99: number | null;
}

export interface Calibration {
  recorded: { p50: number | null; p99: number | null };
  replayed: { p50: number | null; p99: number | null };
  /** (replayed − recorded) / recorded; null when recorded is 0 or missing. */
  error_p50: number | null;
  error_p99: number | null;
  /** Replayed latencies were compared truncated to this (the recorded timestamps' resolution, ns); absent: exact. */
  resolution_ns?: number;
}

/** The JSON-able part of a replay, saved with the run. */
export interface ReplaySummary {
  model: ModelName;
  seed: number;
  params: ReplayParams;
  /** Completed groups in the input (requests up to a last-page request). */
  groups: number;
  /** Groups that got a response (the others were lost after maxRetries). */
  answered: number;
  /** What a trace would show: response submission − report of the last-page request. */
  latency_ns: LatencyPercentiles;
  /** What the device waits: its last-page request generated → response completed (credit
   *  wait, PRQ queueing, drain, overflow retries, handling, response and QI). */
  device_latency_ns: LatencyPercentiles;
  /** Lookup visits and their cost per answered group, all stages together. */
  lookup: LookupSummary;
  /** Mean visits and ns per reported group, by stage. */
  lookup_stages: Record<string, { visits_mean: number; ns_mean: number }>;
  /** Requests the hardware dropped: PRQ full, or overflow set and not yet cleared by a
   *  drain to empty (retried attempts count again). */
  drops: number;
  /** Times a PRQ overflowed (PRO set) — each episode ends when the drain thread empties it. */
  overflow_episodes: number;
  /** Dropped last-page requests the IOMMU answered by itself with Success. */
  auto_responses: number;
  /** Whole-group re-sends after an auto-response. */
  retries: number;
  lost_groups: number;
  /** Requests that found their device out of PRI credits and waited at the device. */
  credit_waits: number;
  /** Mean ns per answered group by stage, request generated → response at the device:
   *  the stages add up to device_latency (see STAGE_TIMES). */
  stage_time_ns: Record<string, number>;
  /** Mean ns per answered group waiting on locks and the queue's hardware (inside the
   *  stages above): drain_fault_param is the drain thread stalled on a device's
   *  fault_param->lock held by a responder. */
  lock_wait_ns: Record<string, number>;
  /** Times the drain thread emptied the PRQ after an overflow and discarded partial requests. */
  partial_discards: number;
  /** Percent of answered groups whose latency_ns is in 1–10 µs, 10–100 µs, 100 µs–1 ms: the
   *  buckets of the one real histogram (SVM_PRQ_PERCENT in percentiles.ts). */
  svm_prq_buckets: [number, number, number];
  /** Busiest IOMMU's drain thread: share of the replay's span it was awake (woken by an
   *  IRQ until it left the PRQ empty), in [0, 1]. Near 1 the drain paces the device. */
  drain_utilisation: number;
  /** Requests of groups whose last page never arrived in the input. */
  unfinished_requests: number;
  stop_markers: number;
  calibration?: Calibration;
  /** Said plainly when the calibration compares the engine with itself: set by the store
   *  layer when the trace is in the simulator's own format. */
  calibration_note?: string;
  /** Held-out calibration (a run with --holdout): service times estimated on the earlier
   *  groups, recorded vs replayed on the later ones only (holdout.ts). */
  holdout_calibration?: HoldoutCalibration;
  /** Where each parameter's value comes from; added by the store layer (it knows the preset). */
  params_provenance?: ParamsProvenance;
  /** The run's figures at each of its K seeds (this summary's seed first); intervals come
   *  from them (seed-samples.ts). Added by the store layer; absent in runs saved before. */
  seed_samples?: SeedSamples;
}

/**
 * Per-group results, in replay order (by last-page request). The group's IOMMU, device,
 * RID and PRG index are those of its last request: input.<column>[lastRequestIndex[g]]
 * (not repeated here: every extra million-entry array costs real time to allocate).
 */
export interface ReplayGroups {
  count: number;
  /** Index, in the caller's input, of the group's last-page request. */
  lastRequestIndex: Int32Array;
  /** The group's PASID as replayed (the sweep remaps PASIDs). */
  pasid: Int32Array;
  /** Recorded arrival of the last-page request (engine time, ns). */
  arrivalNs: Float64Array;
  /** When the drain thread reported the last-page request (NaN if lost). */
  reportNs: Float64Array;
  /** When the response was submitted to the invalidation queue (NaN if lost). */
  responseNs: Float64Array;
  /** When the response reached the device: the QI completed it (NaN if lost). */
  doneNs: Float64Array;
  /** Index into STAGE_TIMES of the stage this group spent longest in (255 if lost). */
  longestStage: Uint8Array;
  /** responseNs − reportNs, the trace-equivalent latency. */
  latencyNs: Float64Array;
  /** doneNs − arrivalNs: request generated → response at the device. */
  deviceLatencyNs: Float64Array;
  lookupVisits: Float64Array;
  lookupNs: Float64Array;
  /** Worker (0 … workers − 1 of its IOMMU) that handled the group; −1 if lost. */
  worker: Int32Array;
}

/** PRQ occupancy and outstanding groups over time, max per bucket. */
export interface QueueDepthSeries {
  bucketNs: number;
  /** Largest PRQ occupancy of any one IOMMU in each bucket. */
  prqMax: number[];
  /** Largest number of reported, unanswered groups (all IOMMUs) in each bucket. */
  outstandingMax: number[];
}

export interface ReplayResult {
  summary: ReplaySummary;
  groups: ReplayGroups;
  /** Per request of the caller's input: when the driver reported it (NaN if never).
   *  Only with extras.requestDetail. */
  requestReportNs: Float64Array | null;
  /** Per request of the caller's input: its group in `groups`, −1 for requests of no
   *  replayed group (unfinished groups, Stop Markers). Only with extras.requestDetail. */
  requestGroup: Int32Array | null;
  queueDepth: QueueDepthSeries;
}
