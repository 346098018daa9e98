// DELETE one saved view: 204, or 404 when there is no such view.

import { deleteSavedView } from '@/lib/db/saved-views.ts';
import { parseId } from '@/lib/core/ids.ts';
import { withDb } from '../../../_data/db.ts';
import { errorResponse, notAnId } from '../../_http.ts';

export const dynamic = 'force-dynamic';

export async function DELETE(_request: Request, ctx: { params: Promise<{ viewId: string }> }): Promise<Response> {
  const viewId = parseId((await ctx.params).viewId);
  if (viewId === null) return notAnId('view id must be a number');
  try {
    await withDb((db) => deleteSavedView(db, viewId));
    return new Response(null, { status: 204 });
  } catch (e) {
    return errorResponse(e);
  }
}
