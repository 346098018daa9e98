// GET a trace's annotations in time order. POST a new one: {"author", "text", optional
// "start_offset_ns"/"end_offset_ns" (since trace start) or "start_ns"/"end_ns" (trace clock),
// "device", "pasid"}. 201 with the stored note; 400 names the field at fault; 404 no trace.

import { createAnnotation, listAnnotations } from '@/lib/db/annotations.ts';
import { traceHeader, traceOrigin } from '@/lib/queries/charts/trace-header.ts';
import { parseId } from '@/lib/core/ids.ts';
import { withDb } from '../../../../_data/db.ts';
import { annotationJson, parseAnnotationBody } from '../../../_annotations.ts';
import { errorResponse, json, jsonBody, notAnId } from '../../../_http.ts';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  try {
    return json(
      await withDb(async (db) => {
        await traceHeader(db, id);
        return (await listAnnotations(db, id)).map(annotationJson);
      }),
    );
  } catch (e) {
    return errorResponse(e);
  }
}

export async function POST(request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  const body = await jsonBody(request);
  if (body instanceof Response) return body;
  try {
    const created = await withDb(async (db) => {
      const origin = await traceOrigin(db, id);
      const p = parseAnnotationBody(body, origin.first_ts_ns);
      return createAnnotation(db, { ...p, trace_id: id, author: p.author as string, text: p.text as string });
    });
    return json(annotationJson(created), 201);
  } catch (e) {
    return errorResponse(e);
  }
}
