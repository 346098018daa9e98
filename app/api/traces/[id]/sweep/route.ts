// POST [?axis=pasids|outstanding|sharing]: run (or join the running) sweep of a trace on that
// axis (default the PASID one) with the default options and cache it, so the scaling page can
// plot it. 201 with how many points and how long it took; 400 for an unknown axis.

import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import { parseId } from '@/lib/core/ids.ts';
import { SWEEP_AXES, type SweepAxis } from '@/lib/replay/sweep-axes.ts';
import { withDb } from '../../../../_data/db.ts';
import { runSweepOnce } from '../../../../_data/sweep-runs.ts';
import { errorResponse, json, notAnId } from '../../../_http.ts';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  const axis = new URL(request.url).searchParams.get('axis') ?? 'pasids';
  if (!(SWEEP_AXES as readonly string[]).includes(axis))
    return json({ error: `axis must be one of ${SWEEP_AXES.join(', ')}, got ${JSON.stringify(axis.slice(0, 40))}` }, 400);
  try {
    await withDb((db) => traceHeader(db, id));
    const sweep = await runSweepOnce(id, axis as SweepAxis);
    return json({ trace_id: id, groups: sweep.groups, points: sweep.points.length, seconds: sweep.seconds, cached: sweep.cached }, 201);
  } catch (e) {
    return errorResponse(e);
  }
}
