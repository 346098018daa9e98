// The PASID sweep cache (the `sweeps` table) read without computing anything: the scaling page
// asks it whether a sweep was run and draws the saved one; the service that computes sweeps
// (services/sweeps.ts) reads it before replaying. The cache key is made here only, so both agree.

import type { Db } from '../db/instance.ts';
import { DEFAULT_SWEEP_SEEDS, type SweepOptions, type SweepResult } from '../replay/sweep.ts';

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

/** The cache key: JSON of the options with sorted keys. */
export function sweepKey(opts: TraceSweepOptions): string {
  return JSON.stringify(opts, Object.keys(opts).sort());
}

/** The key of a sweep with the default options, the one the scaling page shows. */
export const DEFAULT_SWEEP_KEY = sweepKey(sweepOptions());

export async function tracePasidCount(db: Db, traceId: number): Promise<number> {
  const [own] = await db.all<{ n: bigint }>("SELECT count(DISTINCT pasid) AS n FROM events WHERE trace_id = $1 AND kind = 'page_request'", [traceId]);
  return Number(own?.n ?? 0);
}

/** The saved sweep under key, or null when none was run. */
export async function cachedSweep(db: Db, traceId: number, key: string): Promise<TraceSweep | null> {
  const hit = await db.all<{ result: string; seconds: number }>('SELECT result, seconds FROM sweeps WHERE trace_id = $1 AND options = $2', [traceId, key]);
  if (!hit[0]) return null;
  const tracePasids = await tracePasidCount(db, traceId);
  return { ...(JSON.parse(hit[0].result) as SweepResult), trace_id: traceId, trace_pasids: tracePasids, seconds: hit[0].seconds, cached: true };
}

/** When the default sweep was saved ('YYYY-MM-DD HH:MM:SS'), or null: "not run yet" told from "cached" without starting one. */
export async function sweepComputedAt(db: Db, traceId: number): Promise<string | null> {
  const rows = await db.all<{ at: string }>("SELECT strftime(created_at, '%Y-%m-%d %H:%M:%S') AS at FROM sweeps WHERE trace_id = $1 AND options = $2", [
    traceId,
    DEFAULT_SWEEP_KEY,
  ]);
  return rows[0]?.at ?? null;
}
