// POST: run (or join the running) PASID sweep of a trace with the default options and cache
// it, so the scaling page can plot it. 201 with how many points and how long it took.

import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import { parseId } from '@/lib/core/ids.ts';
import { withDb } from '../../../../_data/db.ts';
import { runSweepOnce } from '../../../../_data/sweep-runs.ts';
import { errorResponse, json, notAnId } from '../../../_http.ts';

export const dynamic = 'force-dynamic';

export async function POST(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  try {
    await withDb((db) => traceHeader(db, id));
    const sweep = await runSweepOnce(id);
    return json({ trace_id: id, groups: sweep.groups, points: sweep.points.length, seconds: sweep.seconds, cached: sweep.cached }, 201);
  } catch (e) {
    return errorResponse(e);
  }
}
