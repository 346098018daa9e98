// The PASID sweep of a stored trace ("domain lookup cost vs number of PASIDs") and its axis
// sweeps (groups in flight per device, devices per PASID), cached in
// the `sweeps` table per (trace, options): a sweep replays up to 21 points × 2 allocations ×
// every model and structure, so the scaling page and `pritrace sweep` reuse a saved result.

import { axisSweepOffThread, sweepOffThread } from '../replay/off-thread.ts';
import type { Db } from '../db/instance.ts';
import { loadReplayData } from '../queries/replay-input.ts';
import {
  axisSweepOptions,
  cachedAxisSweep,
  cachedSweep,
  sweepKey,
  sweepOptions,
  tracePasidCount,
  type TraceAxisSweep,
  type TraceAxisSweepOptions,
  type TraceSweep,
  type TraceSweepOptions,
} from '../queries/sweep-cache.ts';

/**
 * `threads`: worker threads the sweep's points are dealt to (same result on any number). The
 * server keeps the default of one, so a sweep leaves a core to the pages; the CLI uses every core.
 */
export async function sweepForTrace(db: Db, traceId: number, options: Partial<TraceSweepOptions> = {}, refresh = false, threads = 1): Promise<TraceSweep> {
  const opts = sweepOptions(options);
  const key = sweepKey(opts);
  if (!refresh) {
    const hit = await cachedSweep(db, traceId, key);
    if (hit) return hit;
  }
  const tracePasids = await tracePasidCount(db, traceId);
  const data = await loadReplayData(db, traceId);
  const started = performance.now();
  const result = await sweepOffThread(data.input, opts, threads);
  const seconds = (performance.now() - started) / 1000;
  await saveSweep(db, traceId, key, result, seconds);
  return { ...result, trace_id: traceId, trace_pasids: tracePasids, seconds, cached: false };
}

/** The outstanding-groups or devices-per-PASID sweep of a stored trace (replay/sweep-axes.ts), cached beside the PASID sweep. */
export async function axisSweepForTrace(
  db: Db,
  traceId: number,
  options: Partial<TraceAxisSweepOptions> & Pick<TraceAxisSweepOptions, 'axis'>,
  refresh = false,
  threads = 1,
): Promise<TraceAxisSweep> {
  const opts = axisSweepOptions(options);
  const key = sweepKey(opts);
  if (!refresh) {
    const hit = await cachedAxisSweep(db, traceId, key);
    if (hit) return hit;
  }
  const data = await loadReplayData(db, traceId);
  const started = performance.now();
  const result = await axisSweepOffThread(data.input, opts, threads);
  const seconds = (performance.now() - started) / 1000;
  await saveSweep(db, traceId, key, result, seconds);
  return { ...result, trace_id: traceId, seconds, cached: false };
}

async function saveSweep(db: Db, traceId: number, key: string, result: unknown, seconds: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM sweeps WHERE trace_id = $1 AND options = $2', [traceId, key]);
    await tx.run("INSERT INTO sweeps VALUES ($1, $2, $3::JSON, $4, (now() AT TIME ZONE 'UTC'))", [traceId, key, JSON.stringify(result), seconds]);
  });
}
