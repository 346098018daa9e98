// POST: a sensitivity run of the trace (every numeric parameter halved and doubled, 4 seeds),
// saved so the replay page draws its tornado. Body: {"model": "per-device"|"domain-wide",
// "preset"?: era}. 201 with the result; 400 names the bad field.

import { sensitivityForTrace } from '@/lib/services/sensitivity.ts';
import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import { KERNEL_ERAS } from '@/lib/replay/presets.ts';
import { MODEL_NAMES, type ModelName } from '@/lib/replay/types.ts';
import { parseId } from '@/lib/core/ids.ts';
import { withDb } from '../../../../_data/db.ts';
import { badRequest, errorResponse, json, jsonBody, notAnId } from '../../../_http.ts';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  const body = await jsonBody(request);
  if (body instanceof Response) return body;
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof b.model !== 'string' || !(MODEL_NAMES as readonly string[]).includes(b.model)) return badRequest(`model must be one of ${MODEL_NAMES.join(', ')}`);
  if (b.preset !== undefined && (typeof b.preset !== 'string' || !(KERNEL_ERAS as readonly string[]).includes(b.preset)))
    return badRequest(`preset must be one of ${KERNEL_ERAS.join(', ')}`);
  try {
    const result = await withDb(async (db) => {
      await traceHeader(db, id);
      return sensitivityForTrace(db, id, { model: b.model as ModelName, preset: b.preset as string | undefined });
    });
    return json(result, 201);
  } catch (e) {
    return errorResponse(e);
  }
}
