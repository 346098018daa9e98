// Streamed downloads for route handlers: a lib writer that emits text chunks (CSV, Chrome
// JSON) runs inside withDb while the response body streams, with backpressure (each emit waits
// for the reader). Errors before the first byte are the caller's to map; a failure mid-stream
// aborts the body so the client sees a broken download rather than a silently short file.

import type { Db } from '@/lib/db/instance.ts';
import type { Emit } from '@/lib/postmortem/paged-rows.ts';
import { withDb } from '../_data/db.ts';

export function attachment(filename: string, type: string): Record<string, string> {
  // The name is built by the route from digits and fixed words, so it needs no escaping.
  return { 'content-type': type, 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store' };
}

export function streamDownload(headers: Record<string, string>, write: (db: Db, emit: Emit) => Promise<unknown>): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  void withDb((db) => write(db, (chunk) => writer.write(encoder.encode(chunk))))
    .then(() => writer.close())
    .catch((e: unknown) => {
      console.error(e);
      return writer.abort(e);
    })
    .catch(() => undefined);
  return new Response(readable, { status: 200, headers });
}
