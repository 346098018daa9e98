// The PASID sweep of a stored trace ("domain lookup cost vs number of PASIDs"), cached in
// the `sweeps` table per (trace, options): a sweep replays up to 21 points × 2 allocations ×
// every model and structure, so the scaling page and `pritrace sweep` reuse a saved result.

import { axisSweepOffThread, sweepOffThread } from '../replay/off-thread.ts';
import { DEFAULT_SWEEP_SEEDS, type SweepOptions, type SweepResult } from '../replay/sweep.ts';
import type { AxisSweepOptions, AxisSweepResult } from '../replay/sweep-axes.ts';
import type { ReplayInput } from '../replay/types.ts';
import type { Db } from './instance.ts';
import { loadReplayData } from './replay-input.ts';

export type TraceSweepOptions = Pick<SweepOptions, 'seed' | 'seeds' | 'exponents' | 'allocations' | 'maxGroupsPerPoint' | 'models'>;

export interface TraceSweep extends SweepResult {
  trace_id: number;
  /** Distinct PASIDs among the trace's page requests: where the trace itself sits. */
  trace_pasids: number;
  seconds: number;
  cached: boolean;
}

/**
 * `threads`: worker threads the sweep's points are dealt to (same result on any number). The
 * server keeps the default of one, so a sweep leaves a core to the pages; the CLI uses every core.
 */
export async function sweepForTrace(db: Db, traceId: number, options: Partial<TraceSweepOptions> = {}, refresh = false, threads = 1): Promise<TraceSweep> {
  // The seed count is part of the key, so sweeps saved before points had seeds are not reused.
  const opts: TraceSweepOptions = { seed: options.seed ?? 1, seeds: options.seeds ?? DEFAULT_SWEEP_SEEDS, ...options };
  const key = JSON.stringify(opts, Object.keys(opts).sort());
  const [own] = await db.all<{ n: bigint }>(
    "SELECT count(DISTINCT pasid) AS n FROM events WHERE trace_id = $1 AND kind = 'page_request'",
    [traceId],
  );
  const tracePasids = Number(own?.n ?? 0);
  const swept = await cachedSweep(db, traceId, key, refresh, (input) => sweepOffThread(input, opts, threads));
  return { ...swept.result, trace_id: traceId, trace_pasids: tracePasids, seconds: swept.seconds, cached: swept.cached };
}

export type TraceAxisSweepOptions = Pick<AxisSweepOptions, 'axis' | 'seed' | 'seeds' | 'knobs' | 'maxGroupsPerPoint' | 'models'>;

export interface TraceAxisSweep extends AxisSweepResult {
  trace_id: number;
  seconds: number;
  cached: boolean;
}

/** The outstanding-groups or devices-per-PASID sweep of a stored trace, cached beside the PASID
 *  sweep: the axis is part of the key, which the PASID sweep's key never has. */
export async function axisSweepForTrace(db: Db, traceId: number, options: TraceAxisSweepOptions, refresh = false, threads = 1): Promise<TraceAxisSweep> {
  const opts: TraceAxisSweepOptions = { ...options, seed: options.seed ?? 1, seeds: options.seeds ?? DEFAULT_SWEEP_SEEDS };
  const key = JSON.stringify(opts, Object.keys(opts).sort());
  const swept = await cachedSweep(db, traceId, key, refresh, (input) => axisSweepOffThread(input, opts, threads));
  return { ...swept.result, trace_id: traceId, seconds: swept.seconds, cached: swept.cached };
}

async function cachedSweep<R>(
  db: Db,
  traceId: number,
  key: string,
  refresh: boolean,
  compute: (input: ReplayInput) => Promise<R>,
): Promise<{ result: R; seconds: number; cached: boolean }> {
  if (!refresh) {
    const hit = await db.all<{ result: string; seconds: number }>('SELECT result, seconds FROM sweeps WHERE trace_id = $1 AND options = $2', [traceId, key]);
    if (hit[0]) return { result: JSON.parse(hit[0].result) as R, seconds: hit[0].seconds, cached: true };
  }
  const data = await loadReplayData(db, traceId);
  const started = performance.now();
  const result = await compute(data.input);
  const seconds = (performance.now() - started) / 1000;
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM sweeps WHERE trace_id = $1 AND options = $2', [traceId, key]);
    await tx.run("INSERT INTO sweeps VALUES ($1, $2, $3::JSON, $4, (now() AT TIME ZONE 'UTC'))", [traceId, key, JSON.stringify(result), seconds]);
  });
  return { result, seconds, cached: false };
}
