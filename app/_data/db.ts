// Server-side database access for pages and route handlers: one connection per call on the
// process-wide instance (lib/db/instance.ts), closed when the callback settles. Pages never
// write SQL; they call lib/queries functions inside withDb.

import 'server-only';
import { notFound } from 'next/navigation';
import { NotFoundError } from '@/lib/core/errors.ts';
import { openDb, type Db } from '@/lib/db/instance.ts';
import { resolveDbPath } from '@/lib/db/path.ts';
import { parseId } from '@/lib/core/ids.ts';

export async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(resolveDbPath());
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** A trace id from the URL (lib/core/ids.ts), else the page does not exist. */
export function traceIdFromParam(param: string): number {
  return parseId(param) ?? notFound();
}

/** Like withDb, but a NotFoundError from the query becomes the not-found page. */
export async function withDbOrNotFound<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  try {
    return await withDb(fn);
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    throw e;
  }
}
