// How route handlers answer: JSON bodies, and the project's typed errors mapped to HTTP
// statuses in one place (422 rejected trace with its locations, 503 busy database with
// Retry-After, 404, 413, 400 bad replay parameters, the request guard's 400/403/405/413/415/421,
// 429 with Retry-After when a capped kind of work is full, 403 a write to a read-only lake, 409 a
// lake of a newer schema, 500 anything else).

import { DatabaseBusyError, LakeVersionError, NotFoundError, ReadOnlyLakeError, ReplayConfigError, TraceRejectedError } from '@/lib/core/errors.ts';
import { SlotsBusyError } from '@/lib/core/slots.ts';
import { UploadStalledError, UploadTooLargeError } from '@/lib/services/ingest-jobs.ts';
import { RequestRefusedError, readJsonBody } from '@/lib/http/request-guard.ts';
import type { RejectedTraceError } from './_contract.ts';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

export function badRequest(error: string): Response {
  return json({ error }, 400);
}

/** A path id that is not one (lib/core/ids.ts): no such resource, as for an unknown id (404). */
export function notAnId(what: string): Response {
  return json({ error: `${what} must be a number` }, 404);
}

/** The request's JSON body (type and size checked before parsing), or the error answer to return. */
export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await readJsonBody(request);
  } catch (e) {
    return errorResponse(e);
  }
}

export function errorResponse(e: unknown): Response {
  if (e instanceof RequestRefusedError) {
    return json({ error: e.message, ...(e.limitBytes === undefined ? {} : { limit_bytes: e.limitBytes }) }, e.status, e.status === 405 ? { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' } : {});
  }
  if (e instanceof SlotsBusyError) return json({ error: e.message }, 429, { 'retry-after': '1' });
  if (e instanceof TraceRejectedError) {
    return json(
      {
        error: e.message,
        file: e.file,
        reason: e.reason,
        locations: e.locations.map((l) => ({ ...l.location, reason: l.reason })),
      } satisfies RejectedTraceError,
      422,
    );
  }
  if (e instanceof DatabaseBusyError) return json({ error: `${e.message}; try again shortly` }, 503, { 'retry-after': '5' });
  if (e instanceof UploadTooLargeError) return json({ error: e.message, limit_bytes: e.limitBytes }, 413);
  if (e instanceof UploadStalledError) return json({ error: e.message }, 408);
  if (e instanceof NotFoundError) return json({ error: e.message }, 404);
  if (e instanceof ReplayConfigError) return json({ error: e.message, parameter: e.parameter }, 400);
  // A lake-only dashboard takes no writes; the request is well formed, this server refuses it.
  if (e instanceof ReadOnlyLakeError) return json({ error: e.message }, 403);
  if (e instanceof LakeVersionError) return json({ error: e.message }, 409);
  console.error(e);
  return json({ error: e instanceof Error ? e.message.split('\n')[0] : String(e) }, 500);
}
