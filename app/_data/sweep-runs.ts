// Sweeps started from the scaling page, one per trace and axis. A sweep runs for seconds to
// minutes, so a second request for the same trace and axis (a double click, a reload) joins the
// running one instead of starting another. The table lives on globalThis because Next
// evaluates modules per route.

import 'server-only';
import type { TraceAxisSweep, TraceSweep } from '@/lib/queries/sweep-cache.ts';
import type { SweepAxis } from '@/lib/replay/sweep-axes.ts';
import { axisSweepForTrace, sweepForTrace } from '@/lib/services/sweeps.ts';
import { withDb } from './db.ts';

const key = Symbol.for('pritrace.sweeps-in-flight');
type GlobalWithSweeps = typeof globalThis & { [key]?: Map<string, Promise<TraceSweep | TraceAxisSweep>> };

export function runSweepOnce(traceId: number, axis: SweepAxis = 'pasids'): Promise<TraceSweep | TraceAxisSweep> {
  const g = globalThis as GlobalWithSweeps;
  const running = (g[key] ??= new Map());
  const id = `${traceId}:${axis}`;
  let p = running.get(id);
  if (!p) {
    p = withDb<TraceSweep | TraceAxisSweep>((db) =>
      axis === 'pasids' ? sweepForTrace(db, traceId) : axisSweepForTrace(db, traceId, { axis, seed: 1 }),
    ).finally(() => running.delete(id));
    running.set(id, p);
  }
  return p;
}
