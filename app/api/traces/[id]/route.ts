// One trace: GET its listing row and the other traces stored from the same file (same
// SHA-256: the upload page offers to open one of them instead of keeping a second copy);
// PATCH {"name": "…"} renames it (400 invalid name, 409 taken); DELETE removes it and every
// row stored with it, in one transaction (204). Ids are digits, else 404 like the other routes.

import { deleteTrace, renameTrace, sameFileTraces } from '@/lib/db/trace-admin.ts';
import { NotFoundError } from '@/lib/core/errors.ts';
import { listTraces } from '@/lib/queries/traces.ts';
import { withDb } from '../../../_data/db.ts';
import type { TraceWithSameFile } from '../../_contract.ts';
import { parseId } from '@/lib/core/ids.ts';
import { badRequest, errorResponse, json, jsonBody, notAnId } from '../../_http.ts';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export async function GET(_request: Request, ctx: Ctx): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  try {
    return json(
      await withDb(async (db) => {
        const trace = (await listTraces(db)).find((t) => t.trace_id === id);
        if (!trace) throw new NotFoundError(`no trace with id ${id}`);
        return { ...trace, same_file: await sameFileTraces(db, id) } satisfies TraceWithSameFile;
      }),
    );
  } catch (e) {
    return errorResponse(e);
  }
}

export async function PATCH(request: Request, ctx: Ctx): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  // Type and size checked before parsing (lib/http/request-guard.ts), like every JSON route.
  const body = await jsonBody(request);
  if (body instanceof Response) return body;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('name' in body)) return badRequest('body must be a JSON object with a name');
  try {
    return json(await withDb((db) => renameTrace(db, id, (body as { name: unknown }).name)));
  } catch (e) {
    return errorResponse(e);
  }
}

export async function DELETE(_request: Request, ctx: Ctx): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  try {
    await withDb((db) => deleteTrace(db, id));
    return new Response(null, { status: 204 });
  } catch (e) {
    return errorResponse(e);
  }
}
