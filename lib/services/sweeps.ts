// The PASID sweep of a stored trace ("domain lookup cost vs number of PASIDs"), cached in
// the `sweeps` table per (trace, options): a sweep replays up to 21 points × 2 allocations ×
// every model and structure, so the scaling page and `pritrace sweep` reuse a saved result.

import { sweepOffThread } from '../replay/off-thread.ts';
import type { Db } from '../db/instance.ts';
import { loadReplayData } from '../queries/replay-input.ts';
import { cachedSweep, sweepKey, sweepOptions, tracePasidCount, type TraceSweep, type TraceSweepOptions } from '../queries/sweep-cache.ts';

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
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM sweeps WHERE trace_id = $1 AND options = $2', [traceId, key]);
    await tx.run("INSERT INTO sweeps VALUES ($1, $2, $3::JSON, $4, (now() AT TIME ZONE 'UTC'))", [traceId, key, JSON.stringify(result), seconds]);
  });
  return { ...result, trace_id: traceId, trace_pasids: tracePasids, seconds, cached: false };
}
