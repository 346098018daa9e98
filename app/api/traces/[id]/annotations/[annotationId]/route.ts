// PATCH one annotation (fields as in POST; absent keep their value, null clears an optional
// one) or DELETE it (204). 404 when the note does not exist or belongs to another trace.

import { NotFoundError } from '@/lib/core/errors.ts';
import { deleteAnnotation, getAnnotation, updateAnnotation } from '@/lib/db/annotations.ts';
import type { Db } from '@/lib/db/instance.ts';
import { traceOrigin } from '@/lib/queries/charts/trace-header.ts';
import { parseId } from '@/lib/core/ids.ts';
import { withDb } from '../../../../../_data/db.ts';
import { annotationJson, parseAnnotationBody } from '../../../../_annotations.ts';
import { errorResponse, json, jsonBody, notAnId } from '../../../../_http.ts';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; annotationId: string }> };

async function ids(ctx: Ctx): Promise<{ traceId: number; annotationId: number } | null> {
  const p = await ctx.params;
  const traceId = parseId(p.id);
  const annotationId = parseId(p.annotationId);
  return traceId === null || annotationId === null ? null : { traceId, annotationId };
}

async function requireOwned(db: Db, traceId: number, annotationId: number): Promise<void> {
  const a = await getAnnotation(db, annotationId);
  if (a.trace_id !== traceId) throw new NotFoundError(`no annotation ${annotationId} on trace ${traceId}`);
}

export async function PATCH(request: Request, ctx: Ctx): Promise<Response> {
  const k = await ids(ctx);
  if (!k) return notAnId('ids must be numbers');
  const body = await jsonBody(request);
  if (body instanceof Response) return body;
  try {
    const updated = await withDb(async (db) => {
      await requireOwned(db, k.traceId, k.annotationId);
      const origin = await traceOrigin(db, k.traceId);
      return updateAnnotation(db, k.annotationId, parseAnnotationBody(body, origin.first_ts_ns));
    });
    return json(annotationJson(updated));
  } catch (e) {
    return errorResponse(e);
  }
}

export async function DELETE(_request: Request, ctx: Ctx): Promise<Response> {
  const k = await ids(ctx);
  if (!k) return notAnId('ids must be numbers');
  try {
    await withDb(async (db) => {
      await requireOwned(db, k.traceId, k.annotationId);
      await deleteAnnotation(db, k.annotationId);
    });
    return new Response(null, { status: 204 });
  } catch (e) {
    return errorResponse(e);
  }
}
