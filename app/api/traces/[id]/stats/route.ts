// GET the figures of one trace (id or name), exactly the JSON of `pritrace stats --json`.

import { resolveTrace } from '@/lib/queries/traces.ts';
import { traceStats } from '@/lib/queries/trace-stats.ts';
import { withDb } from '../../../../_data/db.ts';
import { errorResponse, json } from '../../../_http.ts';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params;
  try {
    return json(
      await withDb(async (db) => {
        const trace = await resolveTrace(db, id);
        return traceStats(db, trace.trace_id);
      }),
    );
  } catch (e) {
    return errorResponse(e);
  }
}
