// The PASID scaling page's data: the trace's cached PASID sweep (queries/sweep-cache.ts) reshaped
// into one series per model × structure for one allocation (dense or sparse): what the device
// waits (p99, mean over the sweep's seeds with the range one more seed lands in), drops and
// drain-thread utilisation, latency from report, lookup visits and ns per number of live PASIDs. A sweep takes seconds to
// minutes, so this never starts one: it answers null until the sweep has been run.

import type { Db } from '../../db/instance.ts';
import type { Allocation } from '../../replay/sweep.ts';
import { cachedSweep, DEFAULT_SWEEP_KEY, sweepComputedAt } from '../sweep-cache.ts';

export interface ScalingPoint {
  pasids: number;
  visits_mean: number | null;
  visits_p99: number | null;
  ns_mean: number | null;
  ns_p99: number | null;
  /** Report → response p99 (what a trace records), mean over seeds. */
  p99_ns: number | null;
  /** Request → response at the device, p99: mean over seeds and the interval. */
  device_p99_ns: number | null;
  device_p99_lo: number | null;
  device_p99_hi: number | null;
  /** Requests dropped by the PRQ, mean over seeds. */
  drops: number;
  /** Busiest drain thread's awake share, 0–1, mean over seeds. */
  drain_utilisation: number | null;
  sampled_groups: number;
}

export interface ScalingSeries {
  /** "model / structure", the legend label. */
  key: string;
  model: string;
  structure: string;
  /** No kernel uses the structure for PASID → domain (list, hash). */
  hypothetical: boolean;
  points: ScalingPoint[];
}

export interface ScalingRank {
  key: string;
  pasids: number;
  device_p99_ns: number | null;
  device_p99_lo: number | null;
  device_p99_hi: number | null;
  drops: number;
  drain_utilisation: number | null;
}

export interface ScalingData {
  allocation: Allocation;
  /** Seeds each point replayed. */
  seeds: number[];
  /** At the largest PASID count, worst device p99 first. */
  ranking: ScalingRank[];
  /** Distinct PASIDs among the trace's page requests: where the trace itself sits. */
  trace_pasids: number;
  groups: number;
  note: string;
  /** When the sweep was computed, and how long it took (s). */
  computed_at: string;
  seconds: number;
  series: ScalingSeries[];
}

export async function scalingData(db: Db, traceId: number, allocation: Allocation): Promise<ScalingData | null> {
  const at = await sweepComputedAt(db, traceId);
  const sweep = at === null ? null : await cachedSweep(db, traceId, DEFAULT_SWEEP_KEY);
  if (at === null || sweep === null) return null;
  const byKey = new Map<string, ScalingSeries>();
  for (const p of sweep.points) {
    if (p.allocation !== allocation) continue;
    const iv = p.intervals;
    const hypothetical = p.hypothetical;
    const key = `${p.model} / ${p.structure}${hypothetical ? ' (hypothetical)' : ''}`;
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { key, model: p.model, structure: p.structure, hypothetical, points: [] }));
    const device = iv.device_latency_ns.p99;
    s.points.push({
      pasids: p.pasids,
      visits_mean: p.lookup.visits_mean,
      visits_p99: p.lookup.visits_p99,
      ns_mean: p.lookup.ns_mean,
      ns_p99: p.lookup.ns_p99,
      p99_ns: iv.latency_ns.p99?.value ?? null,
      device_p99_ns: device?.value ?? p.device_latency_ns.p99,
      device_p99_lo: device?.lo ?? p.device_latency_ns.p99,
      device_p99_hi: device?.hi ?? p.device_latency_ns.p99,
      drops: iv.drops?.value ?? p.drops,
      drain_utilisation: iv.drain_utilisation?.value ?? null,
      sampled_groups: p.sampled_groups,
    });
  }
  for (const s of byKey.values()) s.points.sort((a, b) => a.pasids - b.pasids);
  const series = [...byKey.values()];
  return {
    allocation,
    trace_pasids: sweep.trace_pasids,
    seeds: sweep.seeds ?? [sweep.seed],
    ranking: rankAtLargest(series),
    groups: sweep.groups,
    note: sweep.note,
    computed_at: at,
    seconds: sweep.seconds,
    series,
  };
}

/** Every series at the largest PASID count, worst device p99 first: the headline's answer. */
function rankAtLargest(series: ScalingSeries[]): ScalingRank[] {
  const n = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.pasids)));
  return series
    .map((s) => ({ s, p: s.points.find((p) => p.pasids === n) }))
    .filter((x): x is { s: ScalingSeries; p: ScalingPoint } => x.p !== undefined)
    .map(({ s, p }) => ({
      key: s.key,
      pasids: n,
      device_p99_ns: p.device_p99_ns,
      device_p99_lo: p.device_p99_lo,
      device_p99_hi: p.device_p99_hi,
      drops: p.drops,
      drain_utilisation: p.drain_utilisation,
    }))
    .sort((a, b) => (b.device_p99_ns ?? -1) - (a.device_p99_ns ?? -1));
}
