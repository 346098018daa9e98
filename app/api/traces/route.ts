// GET: the traces in the database. POST: upload one trace as the raw request body (never
// multipart), `?filename=` the client's file name, optional `&name=` and `&job=` (progress
// id for GET /api/ingest-jobs/<job>). `pritrace ingest` uses this same contract when the
// server holds the database. 201 with the IngestResult, 422 with located errors.

import { ingestUpload, isValidJobId, maxUploadBytes, UploadTooLargeError } from '@/lib/db/ingest-jobs.ts';
import { resolveDbPath } from '@/lib/db/path.ts';
import { listTraces } from '@/lib/queries/traces.ts';
import { withDb } from '../../_data/db.ts';
import { badRequest, errorResponse, json } from '../_http.ts';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  try {
    return json(await withDb((db) => listTraces(db)));
  } catch (e) {
    return errorResponse(e);
  }
}

/** The base name of a client-supplied file name, for display only; null if unusable. */
function displayName(raw: string | null): string | null {
  if (raw === null) return null;
  const base = raw.split(/[\\/]/).pop()!.trim();
  // eslint-disable-next-line no-control-regex
  if (!base || base.length > 255 || /[\u0000-\u001f\u007f]/.test(base) || base === '.' || base === '..') return null;
  return base;
}

export async function POST(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const filename = displayName(url.searchParams.get('filename'));
  if (!filename) return badRequest('query parameter filename is required: the file name, at most 255 characters, no control characters');
  const name = url.searchParams.get('name')?.trim() || undefined;
  if (name !== undefined && name.length > 200) return badRequest('name must be at most 200 characters');
  const job = url.searchParams.get('job');
  if (job !== null && !isValidJobId(job)) return badRequest('job must be 8–64 characters of A–Z, a–z, 0–9, _ or -');
  const contentType = request.headers.get('content-type') ?? '';
  if (contentType.startsWith('multipart/')) return badRequest('send the file itself as the request body, not multipart form data');

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
    return json(result, 201, { location: `/traces/${result.trace_id}` });
  } catch (e) {
    return errorResponse(e);
  }
}
