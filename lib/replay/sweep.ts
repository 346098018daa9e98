// The PASID sweep ("domain lookup cost vs number of PASIDs"): the same traffic spread over N
// live PASIDs, N = 1 … 2^20 − 1 (PASID 0 is reserved), dense (1…N, like the kernel's IDA) or
// sparse (random 20-bit), per model and structure; every live PASID is attached to every
// device. Called by the CLI `sweep` verb and the scaling page. Every structure at a point
// replays the same groups (a bounded prefix of the input) at the same K seeds; a list's
// ~N/2-entry walk is counted from each entry's position rather than walked (lookup/linked-list.ts),
// which is what keeps a 2^20-entry list affordable on the full sample.

import { ReplayConfigError } from '../core/errors.ts';
import { makeView, replayPrepared } from './engine.ts';
import type { StructureKind } from './lookup/types.ts';
import { STAGES, type SharedPasids } from './models/types.ts';
import type { ReplayParams } from './params.ts';
import { prepareInput, type PreparedInput } from './prepare.ts';
import { defaultPresetForModel } from './presets.ts';
import { predictionInterval, type Interval } from './intervals.ts';
import { Rng } from './rng.ts';
import { MODEL_NAMES, type LatencyPercentiles, type LookupSummary, type ModelName, type ReplayInput, type ReplaySummary } from './types.ts';

export type Allocation = 'dense' | 'sparse';

export interface SweepOptions {
  seed: number;
  /** Parameters per model; default the model's preset (v5.17 per-device, v6.9 domain-wide). */
  params?: Partial<Record<ModelName, ReplayParams>>;
  models?: readonly ModelName[];
  /** Structures per model; default xarray (the kernel's) for per-device, all four for domain-wide. */
  structures?: Partial<Record<ModelName, readonly StructureKind[]>>;
  allocations?: readonly Allocation[];
  /** N = 2^e for each exponent e, default 0 … 20. */
  exponents?: readonly number[];
  /** Groups replayed per point at most (a prefix of the input), the same for every structure. Default 50 000. */
  maxGroupsPerPoint?: number;
  /** Seeds per point (seed … seed + K − 1), for the intervals. Default 3. */
  seeds?: number;
}

/** A point's figures over its seeds: mean ± where one more seed lands (intervals.ts). */
export interface SweepIntervals {
  device_latency_ns: { p50: Interval | null; p99: Interval | null };
  latency_ns: { p50: Interval | null; p99: Interval | null };
  drops: Interval | null;
  drain_utilisation: Interval | null;
}

export interface SweepPoint {
  pasids: number;
  allocation: Allocation;
  model: ModelName;
  structure: StructureKind;
  /** All lookups of a group, every stage. */
  lookup: LookupSummary;
  /** As a trace would show it: response − report of the last-page request. */
  latency_ns: LatencyPercentiles;
  /** What the device waits: response − arrival. Lookups done in the drain thread (the
   *  domain-wide model's domain lookup) delay the report, so they show here, not above. */
  device_latency_ns: LatencyPercentiles;
  drops: number;
  /** Busiest drain thread's share of the replay's span awake (first seed). */
  drain_utilisation: number;
  /** Over the point's seeds. */
  intervals: SweepIntervals;
  /** No kernel uses this structure for PASID → domain (list, hash): a labelled hypothetical. */
  hypothetical: boolean;
  /** Mean visits and ns per group by stage (pasid_lookup is the domain lookup). */
  stages: Record<string, { visits_mean: number; ns_mean: number }>;
  /** Groups replayed for this point: a prefix of the input's groups, equal for every structure at a point. */
  sampled_groups: number;
}

export interface SweepResult {
  seed: number;
  /** Seeds each point replayed. */
  seeds: number[];
  /** Completed groups in the input. */
  groups: number;
  params: Partial<Record<ModelName, ReplayParams>>;
  note: string;
  points: SweepPoint[];
}

/** Largest number of live PASIDs: 20-bit values with PASID 0 reserved. */
export const MAX_LIVE_PASIDS = 0xfffff;
export const DEFAULT_STRUCTURES: Record<ModelName, readonly StructureKind[]> = {
  'per-device': ['xarray'],
  'domain-wide': ['xarray', 'list', 'rbtree', 'hash'],
};

/** Structures no kernel uses for PASID → domain: shown, but labelled hypothetical. */
export const HYPOTHETICAL: readonly StructureKind[] = ['list', 'hash'];
export const DEFAULT_SWEEP_SEEDS = 3;

/** N = 2^0 … 2^20 live PASIDs. */
export const DEFAULT_SWEEP_EXPONENTS: readonly number[] = Array.from({ length: 21 }, (_, e) => e);

export function runSweep(input: ReplayInput, options: SweepOptions): SweepResult {
  return sweepPrepared(prepareInput(input), options);
}

/** Murmur3's finaliser: spreads open-group ids over the live PASIDs without an RNG call each. */
export function mix(x: number, salt: number): number {
  let h = (x ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** All of 1 … 2^20 − 1 in a seeded random order; a sparse set of N is its first N values. */
function sparseOrder(seed: number): Int32Array {
  const rng = new Rng(seed);
  const a = new Int32Array(MAX_LIVE_PASIDS);
  for (let i = 0; i < a.length; i++) a[i] = i + 1;
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** What a point reports over its seeds' replays: the first seed's figures and every figure's interval. */
export type PointFigures = Pick<SweepPoint, 'lookup' | 'latency_ns' | 'device_latency_ns' | 'drops' | 'drain_utilisation' | 'intervals' | 'stages'>;

export function pointFigures(runs: readonly ReplaySummary[]): PointFigures {
  const s = runs[0]!;
  const iv = (pick: (x: ReplaySummary) => number | null) => predictionInterval(runs.map(pick), { nonNegative: true });
  const stages: SweepPoint['stages'] = {};
  for (const name of STAGES) stages[name] = s.lookup_stages[name]!;
  return {
    lookup: s.lookup,
    latency_ns: s.latency_ns,
    device_latency_ns: s.device_latency_ns,
    drops: s.drops,
    drain_utilisation: s.drain_utilisation,
    intervals: {
      device_latency_ns: { p50: iv((x) => x.device_latency_ns.p50), p99: iv((x) => x.device_latency_ns.p99) },
      latency_ns: { p50: iv((x) => x.latency_ns.p50), p99: iv((x) => x.latency_ns.p99) },
      drops: iv((x) => x.drops),
      drain_utilisation: iv((x) => x.drain_utilisation),
    },
    stages,
  };
}

export function sweepPrepared(prepared: PreparedInput, options: SweepOptions): SweepResult {
  const seed = options.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ReplayConfigError('seed', `must be a non-negative safe integer, got ${seed}`);
  const models = options.models ?? MODEL_NAMES;
  const allocations = options.allocations ?? ['dense', 'sparse'];
  const exponents = options.exponents ?? DEFAULT_SWEEP_EXPONENTS;
  for (const e of exponents) {
    if (!Number.isInteger(e) || e < 0 || e > 20) throw new ReplayConfigError('exponents', `must be integers in [0, 20], got ${e}`);
  }
  const maxGroups = options.maxGroupsPerPoint ?? 50_000;
  const k = options.seeds ?? DEFAULT_SWEEP_SEEDS;
  if (!Number.isInteger(k) || k < 1 || k > 64) throw new ReplayConfigError('seeds', `must be an integer in [1, 64], got ${k}`);
  const seeds = Array.from({ length: k }, (_, i) => seed + i);
  const params: Partial<Record<ModelName, ReplayParams>> = {};
  for (const m of models) params[m] = options.params?.[m] ?? defaultPresetForModel(m).params;

  const sparse = allocations.includes('sparse') ? sparseOrder(seed) : null;
  const opens = prepared.reqOpen;
  // Only the longest prefix any point replays needs remapping, and one array serves every
  // point (each point's replays finish before the next remaps).
  const remapCount = makeView(prepared, { maxGroups }).requestCount;
  const pasid = new Int32Array(prepared.count);
  const points: SweepPoint[] = [];
  for (const e of exponents) {
    const n = Math.min(2 ** e, MAX_LIVE_PASIDS);
    for (const allocation of allocations) {
      const live = allocation === 'dense' ? Int32Array.from({ length: n }, (_, i) => i + 1) : sparse!.subarray(0, n);
      const shared: SharedPasids = { pasids: live, structures: new Map() };
      // Each open group (all requests of one group) goes to one live PASID, spread uniformly.
      const salt = mix(e * 2 + (allocation === 'dense' ? 0 : 1), seed >>> 0);
      for (let r = 0; r < remapCount; r++) {
        const o = opens[r]!;
        pasid[r] = live[o < 0 ? 0 : mix(o, salt) % n]!;
      }
      for (const model of models) {
        for (const structure of options.structures?.[model] ?? DEFAULT_STRUCTURES[model]) {
          const p = { ...params[model]!, structure };
          const runs = seeds.map(
            (sd) => replayPrepared(prepared, model, p, sd, { queueDepthBuckets: 1, summaryOnly: true }, { pasid, maxGroups, shared }).summary,
          );
          // Spelled out in this order: the JSON of `pritrace sweep` keeps its key order.
          const { stages, ...figures } = pointFigures(runs);
          points.push({
            pasids: n,
            allocation,
            model,
            structure,
            ...figures,
            hypothetical: HYPOTHETICAL.includes(structure),
            stages,
            sampled_groups: makeView(prepared, { maxGroups }).groupCount,
          });
        }
      }
    }
  }
  return {
    seed,
    groups: prepared.groupCount,
    params,
    seeds,
    note:
      `every structure at a point replays the same ${Math.min(maxGroups, prepared.groupCount)} groups (the first ${maxGroups} at most) at seeds ${seeds.join(', ')}; ` +
      `a list's walk is counted from each entry's position instead of walked; every live PASID is attached to every device; ` +
      `the last point holds 2^20 − 1 PASIDs (PASID 0 is reserved); list and hash are hypothetical (no kernel uses them for PASID → domain)`,
    points,
  };
}
