// How route handlers answer: JSON bodies, and the project's typed errors (lib/core/errors.ts)
// mapped to HTTP statuses in this one place (422 rejected trace with its locations, 503 busy
// database with Retry-After, 404, 413/408 uploads, 400 bad replay parameters and invalid
// annotations, saved views and names (409 a name taken), the request guard's
// 400/403/405/413/415/421, 429 with Retry-After when a capped kind of work is full, the SQL
// console's 403 refused / 504 timed out / 400 failed statement, 403 a write to a read-only lake,
// 409 a lake of a newer schema, 500 anything else). lib/cli/describe-error.ts is its CLI twin.

import {
  DatabaseBusyError,
  InvalidAnnotationError,
  InvalidSavedViewError,
  LakeVersionError,
  NotFoundError,
  QueryError,
  ReadOnlyLakeError,
  ReplayConfigError,
  RequestRefusedError,
  SlotsBusyError,
  SqlBusyError,
  SqlRefusedError,
  SqlTimeoutError,
  TraceNameError,
  TraceRejectedError,
  UploadStalledError,
  UploadTooLargeError,
} from '@/lib/core/errors.ts';

import { readJsonBody } from '@/lib/http/request-guard.ts';
import type { RejectedTraceError } from './_contract.ts';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

export function badRequest(error: string): Response {
  return json({ error }, 400);
}

/** A path id that is not one (lib/core/ids.ts): no such resource, as for an unknown id (404). */
export function notAnId(error: string): Response {
  return json({ error }, 404);
}

/** The request's JSON body (type and size checked before parsing), or the error answer to return. */
export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await readJsonBody(request);
  } catch (e) {
    return errorResponse(e);
  }
}

/**
 * `sql`: the error came from a console statement the user wrote, so a QueryError is their
 * statement failing (400), where anywhere else it is ours (500).
 */
export function errorResponse(e: unknown, context: { sql?: boolean } = {}): Response {
  if (e instanceof RequestRefusedError) {
    return json(
      { error: e.message, ...(e.limitBytes === undefined ? {} : { limit_bytes: e.limitBytes }) },
      e.status,
      e.status === 405 ? { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' } : {},
    );
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
  if (e instanceof InvalidAnnotationError || e instanceof InvalidSavedViewError) return json({ error: e.message, field: e.field, reason: e.reason }, 400);
  if (e instanceof TraceNameError) return json({ error: e.message, field: 'name', reason: e.reason }, e.taken ? 409 : 400);
  if (e instanceof SqlRefusedError) return json({ error: e.message, refused: e.refused }, 403);
  if (e instanceof SqlTimeoutError) return json({ error: e.message, timeout_ms: e.timeoutMs }, 504);
  if (e instanceof SqlBusyError) return json({ error: e.message, max_concurrent: e.limit }, 429, { 'retry-after': '1' });
  if (e instanceof QueryError && context.sql) return json({ error: e.message.split('\n')[0] }, 400);
  console.error(e);
  return json({ error: e instanceof Error ? e.message.split('\n')[0] : String(e) }, 500);
}
