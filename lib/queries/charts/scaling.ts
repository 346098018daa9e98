// The PASID scaling page's data: the trace's cached PASID sweep (lib/db/sweeps.ts) reshaped
// into one series per model × structure for one allocation (dense or sparse), with lookup
// visits, lookup ns and p99 latency per number of live PASIDs. A sweep takes seconds to
// minutes, so this never starts one: it answers null until the sweep has been run.

import type { Db } from '../../db/instance.ts';
import { sweepForTrace } from '../../db/sweeps.ts';
import type { Allocation } from '../../replay/sweep.ts';

export interface ScalingPoint {
  pasids: number;
  visits_mean: number | null;
  visits_p99: number | null;
  ns_mean: number | null;
  ns_p99: number | null;
  p50_ns: number | null;
  p99_ns: number | null;
  drops: number;
  sampled_groups: number;
}

export interface ScalingSeries {
  /** "model / structure", the legend label. */
  key: string;
  model: string;
  structure: string;
  points: ScalingPoint[];
}

export interface ScalingData {
  allocation: Allocation;
  /** Distinct PASIDs among the trace's page requests: where the trace itself sits. */
  trace_pasids: number;
  groups: number;
  note: string;
  /** When the sweep was computed, and how long it took (s). */
  computed_at: string;
  seconds: number;
  series: ScalingSeries[];
}

/**
 * The cache key sweepForTrace uses for its default options ({seed: 1}): JSON of the options
 * with sorted keys. Checking it here lets the page tell "not run yet" from "cached" without
 * starting a sweep.
 */
export const DEFAULT_SWEEP_KEY = JSON.stringify({ seed: 1 });

export async function sweepComputedAt(db: Db, traceId: number): Promise<string | null> {
  const rows = await db.all<{ at: string }>(
    "SELECT strftime(created_at, '%Y-%m-%d %H:%M:%S') AS at FROM sweeps WHERE trace_id = $1 AND options = $2",
    [traceId, DEFAULT_SWEEP_KEY],
  );
  return rows[0]?.at ?? null;
}

export async function scalingData(db: Db, traceId: number, allocation: Allocation): Promise<ScalingData | null> {
  const at = await sweepComputedAt(db, traceId);
  if (at === null) return null;
  const sweep = await sweepForTrace(db, traceId);
  const byKey = new Map<string, ScalingSeries>();
  for (const p of sweep.points) {
    if (p.allocation !== allocation) continue;
    const key = `${p.model} / ${p.structure}`;
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { key, model: p.model, structure: p.structure, points: [] }));
    s.points.push({
      pasids: p.pasids,
      visits_mean: p.lookup.visits_mean,
      visits_p99: p.lookup.visits_p99,
      ns_mean: p.lookup.ns_mean,
      ns_p99: p.lookup.ns_p99,
      p50_ns: p.latency_ns.p50,
      p99_ns: p.latency_ns.p99,
      drops: p.drops,
      sampled_groups: p.sampled_groups,
    });
  }
  for (const s of byKey.values()) s.points.sort((a, b) => a.pasids - b.pasids);
  return {
    allocation,
    trace_pasids: sweep.trace_pasids,
    groups: sweep.groups,
    note: sweep.note,
    computed_at: at,
    seconds: sweep.seconds,
    series: [...byKey.values()],
  };
}
