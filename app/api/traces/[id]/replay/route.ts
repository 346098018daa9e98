// GET: the trace's saved replay runs. POST: replay the trace through a model and save the
// run. Body: {"model": "per-device"|"domain-wide", "preset"?: era, "params"?: ["name=value"],
// "seed"?: int, "holdout"?: fraction fitted (held-out calibration)}. 201 with the saved run; 400 names the bad parameter.

import { runReplayForTrace } from '@/lib/services/replay-runs.ts';
import { replayRuns } from '@/lib/queries/charts/replay-comparison.ts';
import { KERNEL_ERAS } from '@/lib/replay/presets.ts';
import { MODEL_NAMES, type ModelName } from '@/lib/replay/types.ts';
import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import { parseId } from '@/lib/core/ids.ts';
import { withDb } from '../../../../_data/db.ts';
import { badRequest, errorResponse, json, jsonBody, notAnId } from '../../../_http.ts';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  try {
    return json(
      await withDb(async (db) => {
        await traceHeader(db, id);
        return replayRuns(db, id);
      }),
    );
  } catch (e) {
    return errorResponse(e);
  }
}

interface RunBody {
  model: ModelName;
  preset?: string;
  params: string[];
  seed?: number;
  holdout?: number;
}

function parseBody(body: unknown): RunBody | string {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || !(MODEL_NAMES as readonly string[]).includes(b.model)) return `model must be one of ${MODEL_NAMES.join(', ')}`;
  if (b.preset !== undefined && (typeof b.preset !== 'string' || !(KERNEL_ERAS as readonly string[]).includes(b.preset))) {
    return `preset must be one of ${KERNEL_ERAS.join(', ')}`;
  }
  const params = b.params ?? [];
  if (!Array.isArray(params) || params.length > 100 || !params.every((p) => typeof p === 'string' && p.length <= 200)) {
    return 'params must be a list of at most 100 "name=value" strings';
  }
  if (b.seed !== undefined && (typeof b.seed !== 'number' || !Number.isSafeInteger(b.seed) || b.seed < 0)) return 'seed must be a non-negative integer';
  if (b.holdout !== undefined && (typeof b.holdout !== 'number' || !(b.holdout > 0 && b.holdout < 1)))
    return 'holdout must be a fraction strictly between 0 and 1';
  return {
    model: b.model as ModelName,
    preset: b.preset as string | undefined,
    params: params as string[],
    seed: b.seed as number | undefined,
    holdout: b.holdout as number | undefined,
  };
}

export async function POST(request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseId((await ctx.params).id);
  if (id === null) return notAnId('trace id must be a number');
  const body = await jsonBody(request);
  if (body instanceof Response) return body;
  const opts = parseBody(body);
  if (typeof opts === 'string') return badRequest(opts);
  try {
    const run = await withDb(async (db) => {
      await traceHeader(db, id);
      return runReplayForTrace(db, id, opts);
    });
    return json(
      { run_id: run.run_id, trace_id: run.trace_id, model: run.model, preset: run.preset, seed: run.seed, overrides: run.overrides, summary: run.summary },
      201,
    );
  } catch (e) {
    return errorResponse(e);
  }
}
