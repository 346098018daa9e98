// Named saved views. GET ?trace=<id> lists a trace's views, GET ?scope=compare the compare
// page's. POST {"name", "url"} saves one: url is the page's path + query string, accepted only
// as a relative path under /traces/<id> or /compare (the trace is read from it). 201 with the
// view; 400 names the field at fault; 404 when the trace does not exist.

import { listSavedViews, saveView } from '@/lib/db/saved-views.ts';
import { parseId } from '@/lib/core/ids.ts';
import { withDb } from '../../_data/db.ts';
import { badRequest, errorResponse, json, jsonBody } from '../_http.ts';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const q = new URL(request.url).searchParams;
  const trace = parseId(q.get('trace'));
  if (q.get('scope') !== 'compare' && trace === null) return badRequest('give ?trace=<id> or ?scope=compare');
  try {
    return json(await withDb((db) => listSavedViews(db, q.get('scope') === 'compare' ? null : trace)));
  } catch (e) {
    return errorResponse(e);
  }
}

export async function POST(request: Request): Promise<Response> {
  const body = await jsonBody(request);
  if (body instanceof Response) return body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return badRequest('body must be a JSON object');
  const b = body as Record<string, unknown>;
  try {
    return json(await withDb((db) => saveView(db, { name: b.name, url: b.url })), 201);
  } catch (e) {
    return errorResponse(e);
  }
}
