// POST {"sql": "..."}: one read-only SELECT over the trace tables through lib/services/sql-console.ts
// (time limit, row cap). 200 with columns and JSON-safe rows; 403 when the statement is refused
// (write, COPY, ATTACH, file readers, extensions, settings: the library's message names the
// rule); 400 for SQL that does not parse or fails; 504 when it ran past the time limit
// (PRITRACE_SQL_TIMEOUT_MS) — counted from arrival, over waiting, checks, prepare and execution.
// Not 408: Chromium resends a request answered 408 on a kept-alive connection, so the statement
// ran twice and the user waited twice the limit; nothing retries a 504 by itself.
// 429 with Retry-After when PRITRACE_SQL_MAX_CONCURRENT statements already run (one answered
// 504 still counts until DuckDB has returned). The body is at most PRITRACE_MAX_JSON_BYTES.
// GET: the tables the console may read, with their columns.

import { processSlots } from '@/lib/core/slots.ts';
import { sqlMaxConcurrent, sqlTimeoutMs } from '@/lib/db/limits.ts';
import { consoleTables, runConsoleQuery } from '@/lib/services/sql-console.ts';
import { withDb } from '../../_data/db.ts';
import type { SqlResult } from '../_contract.ts';
import { badRequest, errorResponse, json, jsonBody } from '../_http.ts';

export const dynamic = 'force-dynamic';

export function GET(): Response {
  return json(consoleTables());
}

export async function POST(request: Request): Promise<Response> {
  const body = await jsonBody(request);
  if (body instanceof Response) return body;
  const sql = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).sql : undefined;
  if (typeof sql !== 'string') return badRequest('body must be {"sql": "<one SELECT statement>"}');
  try {
    const limit = sqlMaxConcurrent();
    const slots = processSlots('console statements', limit, 4 * limit);
    return json((await withDb((db) => runConsoleQuery(db, sql, { timeoutMs: sqlTimeoutMs(), slots }))) satisfies SqlResult);
  } catch (e) {
    return errorResponse(e, { sql: true });
  }
}
