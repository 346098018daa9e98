// PASID sweeps started from the scaling page. A sweep runs for seconds to minutes, so a
// second request for the same trace (a double click, a reload) joins the running one instead
// of starting another. The table lives on globalThis because Next evaluates modules per route.

import 'server-only';
import type { TraceSweep } from '@/lib/queries/sweep-cache.ts';
import { sweepForTrace } from '@/lib/services/sweeps.ts';
import { withDb } from './db.ts';

const key = Symbol.for('pritrace.sweeps-in-flight');
type GlobalWithSweeps = typeof globalThis & { [key]?: Map<number, Promise<TraceSweep>> };

export function runSweepOnce(traceId: number): Promise<TraceSweep> {
  const g = globalThis as GlobalWithSweeps;
  const running = (g[key] ??= new Map());
  let p = running.get(traceId);
  if (!p) {
    p = withDb((db) => sweepForTrace(db, traceId)).finally(() => running.delete(traceId));
    running.set(traceId, p);
  }
  return p;
}
