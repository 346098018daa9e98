// GET: the traces in the database. POST: upload one trace as the raw request body (never
// multipart), `?filename=` the client's file name, optional `&name=` and `&job=` (progress
// id for GET /api/ingest-jobs/<job>). `pritrace ingest` uses this same contract when the
// server holds the database. 201 with the IngestResult, 422 with located errors.

import { UNSAFE_CHARACTERS, UploadTooLargeError } from '@/lib/core/errors.ts';
import { ingestUpload, isValidJobId, maxUploadBytes } from '@/lib/services/ingest-jobs.ts';
import { resolveDbPath } from '@/lib/db/path.ts';
import { guardRequest } from '@/lib/http/request-guard.ts';
import { listTraces } from '@/lib/queries/traces.ts';
import { withDb } from '../../_data/db.ts';
import type { UploadedTrace } from '../_contract.ts';
import { badRequest, errorResponse, json } from '../_http.ts';

export const dynamic = 'force-dynamic';

// proxy.ts leaves this route out (it would cut the upload body at 10 MB): the guard runs here.
export async function GET(request: Request): Promise<Response> {
  try {
    guardRequest(request);
    return json(await withDb((db) => listTraces(db)));
  } catch (e) {
    return errorResponse(e);
  }
}

function hasUnsafeCharacters(s: string): boolean {
  return new RegExp(UNSAFE_CHARACTERS.source).test(s);
}

/** The base name of a client-supplied file name, for display only; null if unusable. */
function displayName(raw: string | null): string | null {
  if (raw === null) return null;
  const base = raw.split(/[\\/]/).pop()!.trim();
  if (!base || base.length > 255 || hasUnsafeCharacters(base) || base === '.' || base === '..') return null;
  return base;
}

export async function POST(request: Request): Promise<Response> {
  try {
    guardRequest(request);
  } catch (e) {
    return errorResponse(e);
  }
  const url = new URL(request.url);
  const filename = displayName(url.searchParams.get('filename'));
  if (!filename) return badRequest('query parameter filename is required: the file name, at most 255 characters, no control or bidirectional characters');
  const name = url.searchParams.get('name')?.trim() || undefined;
  if (name !== undefined && name.length > 200) return badRequest('name must be at most 200 characters');
  if (name !== undefined && hasUnsafeCharacters(name))
    return badRequest('name must not hold control characters (newline, ESC, NUL, …) or bidirectional controls');
  const job = url.searchParams.get('job');
  if (job !== null && !isValidJobId(job)) return badRequest('job must be 8–64 characters of A–Z, a–z, 0–9, _ or -');
  const contentType = request.headers.get('content-type') ?? '';
  if (contentType.startsWith('multipart/')) return badRequest('send the file itself as the request body, not multipart form data');
  // The types a cross-site form may send without a preflight are refused, like on the JSON routes.
  if (/^(text\/plain|application\/x-www-form-urlencoded)\s*(;|$)/i.test(contentType)) {
    return json({ error: 'send the file as application/octet-stream' }, 415);
  }

  const lengthHeader = request.headers.get('content-length');
  const declared = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  try {
    const limit = maxUploadBytes();
    if (declared !== null && declared > limit) throw new UploadTooLargeError(limit);
    if (!request.body) return badRequest('empty request body: send the trace file as the body');
    const result = await ingestUpload({
      body: request.body,
      displayName: filename,
      name,
      jobId: job,
      declaredBytes: declared,
      dbPath: resolveDbPath(),
    });
    return json(result satisfies UploadedTrace, 201, { location: `/traces/${result.trace_id}` });
  } catch (e) {
    return errorResponse(e);
  }
}
