// GET ?dim=device|pasid&q=TEXT: the latency filter picker's server-side search over all of a
// trace's devices or PASIDs among answered groups (the page lists only the 200 largest), most
// groups first, at most 50: [{"value", "groups"}]. 404 unknown trace, 400 bad dim or text.

import { searchFilterValues, type SearchableDimension } from '@/lib/queries/charts/filter-options.ts';
import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import { parseId } from '@/lib/core/ids.ts';
import { withDb } from '../../../../_data/db.ts';
import { badRequest, errorResponse, json, notAnId } from '../../../_http.ts';

export const dynamic = 'force-dynamic';

const DIMENSIONS: readonly SearchableDimension[] = ['device', 'pasid'];

export async function GET(request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  const q = new URL(request.url).searchParams;
  const dim = q.get('dim') ?? '';
  if (!(DIMENSIONS as readonly string[]).includes(dim)) return badRequest(`dim must be one of ${DIMENSIONS.join(', ')}`);
  const text = q.get('q') ?? '';
  if (text.length > 64) return badRequest('q must be at most 64 characters');
  try {
    return json(
      await withDb(async (db) => {
        await traceHeader(db, id);
        return searchFilterValues(db, id, dim as SearchableDimension, text);
      }),
    );
  } catch (e) {
    return errorResponse(e);
  }
}
