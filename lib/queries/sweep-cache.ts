// The sweep cache (the `sweeps` table: PASID sweeps and axis sweeps) read without computing anything: the scaling page
// asks it whether a sweep was run and draws the saved one; the service that computes sweeps
// (services/sweeps.ts) reads it before replaying. The cache key is made here only, so both agree.

import type { Db } from '../db/instance.ts';
import { DEFAULT_SWEEP_SEEDS, type SweepOptions, type SweepResult } from '../replay/sweep.ts';
import type { AxisSweepOptions, AxisSweepResult } from '../replay/sweep-axes.ts';

export type TraceSweepOptions = Pick<SweepOptions, 'seed' | 'seeds' | 'exponents' | 'allocations' | 'maxGroupsPerPoint' | 'models'>;

export interface TraceSweep extends SweepResult {
  trace_id: number;
  /** Distinct PASIDs among the trace's page requests: where the trace itself sits. */
  trace_pasids: number;
  seconds: number;
  cached: boolean;
}

/** The options with their defaults. The seed count is part of the key, so sweeps saved before points had seeds are not reused. */
export function sweepOptions(options: Partial<TraceSweepOptions> = {}): TraceSweepOptions {
  return { seed: options.seed ?? 1, seeds: options.seeds ?? DEFAULT_SWEEP_SEEDS, ...options };
}

export type TraceAxisSweepOptions = Pick<AxisSweepOptions, 'axis' | 'seed' | 'seeds' | 'knobs' | 'maxGroupsPerPoint' | 'models'>;

export interface TraceAxisSweep extends AxisSweepResult {
  trace_id: number;
  seconds: number;
  cached: boolean;
}

/** An axis sweep's options with their defaults; the axis is part of the key, which a PASID sweep's key never has. */
export function axisSweepOptions(options: Partial<TraceAxisSweepOptions> & Pick<TraceAxisSweepOptions, 'axis'>): TraceAxisSweepOptions {
  return { ...options, seed: options.seed ?? 1, seeds: options.seeds ?? DEFAULT_SWEEP_SEEDS };
}

/** The cache key: JSON of the options with sorted keys. */
export function sweepKey(opts: TraceSweepOptions | TraceAxisSweepOptions): string {
  return JSON.stringify(opts, Object.keys(opts).sort());
}

/** The key of a sweep with the default options, the one the scaling page shows. */
export const DEFAULT_SWEEP_KEY = sweepKey(sweepOptions());

export async function tracePasidCount(db: Db, traceId: number): Promise<number> {
  const [own] = await db.all<{ n: bigint }>("SELECT count(DISTINCT pasid) AS n FROM events WHERE trace_id = $1 AND kind = 'page_request'", [traceId]);
  return Number(own?.n ?? 0);
}

/** The key of an axis sweep with the default options, the one the scaling page shows. */
export const defaultAxisKey = (axis: TraceAxisSweepOptions['axis']) => sweepKey(axisSweepOptions({ axis }));

/** The saved row under key (result JSON, seconds, when: 'YYYY-MM-DD HH:MM:SS'), or null when none was run. */
export async function savedSweepRow(db: Db, traceId: number, key: string): Promise<{ result: string; seconds: number; at: string } | null> {
  const hit = await db.all<{ result: string; seconds: number; at: string }>(
    "SELECT result, seconds, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS at FROM sweeps WHERE trace_id = $1 AND options = $2",
    [traceId, key],
  );
  return hit[0] ?? null;
}

/** The saved sweep under key, or null when none was run. */
export async function cachedSweep(db: Db, traceId: number, key: string): Promise<TraceSweep | null> {
  const hit = await savedSweepRow(db, traceId, key);
  if (!hit) return null;
  const tracePasids = await tracePasidCount(db, traceId);
  return { ...(JSON.parse(hit.result) as SweepResult), trace_id: traceId, trace_pasids: tracePasids, seconds: hit.seconds, cached: true };
}

/** The saved axis sweep under key, or null when none was run. */
export async function cachedAxisSweep(db: Db, traceId: number, key: string): Promise<TraceAxisSweep | null> {
  const hit = await savedSweepRow(db, traceId, key);
  if (!hit) return null;
  return { ...(JSON.parse(hit.result) as AxisSweepResult), trace_id: traceId, seconds: hit.seconds, cached: true };
}

/** When the sweep under key (default: the default PASID sweep) was saved ('YYYY-MM-DD HH:MM:SS'), or null: "not run yet" told from "cached" without starting one. */
export async function sweepComputedAt(db: Db, traceId: number, key = DEFAULT_SWEEP_KEY): Promise<string | null> {
  return (await savedSweepRow(db, traceId, key))?.at ?? null;
}
