// POST {"sql": "..."}: one read-only SELECT over the trace tables through lib/db/sql-console.ts
// (time limit, row cap). 200 with columns and JSON-safe rows; 403 when the statement is refused
// (write, COPY, ATTACH, file readers, extensions, settings: the library's message names the
// rule); 400 for SQL that does not parse or fails; 408 when it ran past the time limit
// (PRITRACE_SQL_TIMEOUT_MS).
// GET: the tables the console may read, with their columns.

import { QueryError } from '@/lib/core/errors.ts';
import { sqlTimeoutMs } from '@/lib/db/limits.ts';
import { SqlRefusedError, SqlTimeoutError, consoleTables, runConsoleQuery } from '@/lib/db/sql-console.ts';
import { withDb } from '../../_data/db.ts';
import { badRequest, errorResponse, json } from '../_http.ts';

export const dynamic = 'force-dynamic';

export function GET(): Response {
  return json(consoleTables());
}

export async function POST(request: Request): Promise<Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return badRequest('body must be JSON');
  }
  const sql = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).sql : undefined;
  if (typeof sql !== 'string') return badRequest('body must be {"sql": "<one SELECT statement>"}');
  try {
    return json(await withDb((db) => runConsoleQuery(db, sql, { timeoutMs: sqlTimeoutMs() })));
  } catch (e) {
    if (e instanceof SqlRefusedError) return json({ error: e.message, refused: e.refused }, 403);
    if (e instanceof SqlTimeoutError) return json({ error: e.message, timeout_ms: e.timeoutMs }, 408);
    if (e instanceof QueryError) return json({ error: e.message.split('\n')[0] }, 400);
    return errorResponse(e);
  }
}
