// DELETE one saved view: 204, or 404 when there is no such view.

import { deleteSavedView } from '@/lib/db/saved-views.ts';
import { withDb } from '../../../_data/db.ts';
import { errorResponse, json } from '../../_http.ts';

export const dynamic = 'force-dynamic';

export async function DELETE(_request: Request, ctx: { params: Promise<{ viewId: string }> }): Promise<Response> {
  const param = (await ctx.params).viewId;
  if (!/^\d{1,9}$/.test(param)) return json({ error: 'view id must be a number' }, 404);
  try {
    await withDb((db) => deleteSavedView(db, Number(param)));
    return new Response(null, { status: 204 });
  } catch (e) {
    return errorResponse(e);
  }
}
