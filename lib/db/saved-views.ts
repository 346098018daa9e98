// Named saved views: a dashboard URL (path + query string, which holds every view's state)
// stored under a name, listed on the trace overview (or the compare page) and deletable.
// Called by the /api/views routes and those pages. Only same-origin relative paths under
// /traces/<id> or /compare are accepted, so a saved link can never lead off the dashboard or
// run script; the trace a view belongs to is read from its path, never trusted from a caller.

import { InvalidSavedViewError, NotFoundError } from '../core/errors.ts';
import type { Db } from './instance.ts';
import { queued } from './write-queue.ts';

export const SAVED_VIEW_LIMITS = { nameChars: 100, urlChars: 2000 } as const;

export interface SavedView {
  view_id: number;
  /** null for a /compare view. */
  trace_id: number | null;
  name: string;
  /** Relative URL: path + query string. */
  url: string;
  /** UTC, 'YYYY-MM-DD HH:MM:SS'. */
  created_at: string;
}

// The base only anchors parsing: a relative path that stays on it is same-origin.
const BASE = 'http://dashboard.invalid';
// A trace page, or one fault group's page (/traces/<id>/groups/<n>).
const TRACE_PATH = /^\/traces\/(\d{1,9})(?:\/[a-z][a-z-]{0,30}|\/groups\/\d{1,15})?$/;

/** A view URL as stored (path + query, fragment dropped) and the trace it shows; throws when it is not a dashboard view. */
export function parseViewUrl(url: unknown): { url: string; trace_id: number | null } {
  if (typeof url !== 'string' || url === '') throw new InvalidSavedViewError('url', 'must be a non-empty string');
  if (url.length > SAVED_VIEW_LIMITS.urlChars) throw new InvalidSavedViewError('url', `must be at most ${SAVED_VIEW_LIMITS.urlChars} characters`);
  // eslint-disable-next-line no-control-regex -- control characters are what is refused here
  if (/[\u0000-\u001f\u007f\\]/.test(url)) throw new InvalidSavedViewError('url', 'must not contain control characters or backslashes');
  if (!url.startsWith('/') || url.startsWith('//')) throw new InvalidSavedViewError('url', 'must be a relative path starting with a single /');
  let u: URL;
  try {
    u = new URL(url, BASE);
  } catch {
    throw new InvalidSavedViewError('url', 'is not a valid URL');
  }
  if (u.origin !== BASE) throw new InvalidSavedViewError('url', 'must stay on this dashboard');
  const m = TRACE_PATH.exec(u.pathname);
  if (!m && u.pathname !== '/compare') throw new InvalidSavedViewError('url', 'must be a page under /traces/<id> or /compare');
  return { url: `${u.pathname}${u.search}`, trace_id: m ? Number(m[1]) : null };
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new InvalidSavedViewError('name', 'must not be empty');
  const n = name.trim();
  if ([...n].length > SAVED_VIEW_LIMITS.nameChars) throw new InvalidSavedViewError('name', `must be at most ${SAVED_VIEW_LIMITS.nameChars} characters`);
  if (n.includes('\u0000')) throw new InvalidSavedViewError('name', 'must not contain NUL characters');
  return n;
}

const SELECT = `SELECT view_id, trace_id, name, url, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS created_at FROM saved_views`;

function toView(r: Record<string, unknown>): SavedView {
  return {
    view_id: Number(r.view_id),
    trace_id: r.trace_id === null || r.trace_id === undefined ? null : Number(r.trace_id),
    name: String(r.name),
    url: String(r.url),
    created_at: String(r.created_at),
  };
}

/** Saves a view; the name must be new among the views of the same trace (or of /compare). */
export async function saveView(db: Db, input: { name: unknown; url: unknown }): Promise<SavedView> {
  const name = checkName(input.name);
  const view = parseViewUrl(input.url);
  if (view.trace_id !== null) {
    const t = await db.all('SELECT 1 FROM traces WHERE trace_id = $1', [view.trace_id]);
    if (t.length === 0) throw new NotFoundError(`no trace with id ${view.trace_id}`);
  }
  // Queued with the other max + 1 writers: the name check and the id stay true until the insert.
  const id = await queued(db.path, () =>
    db.transaction(async (tx) => {
      const taken = await tx.all('SELECT 1 FROM saved_views WHERE trace_id IS NOT DISTINCT FROM CAST($1 AS INTEGER) AND name = $2', [view.trace_id, name]);
      if (taken.length > 0) throw new InvalidSavedViewError('name', `a view named "${name}" already exists here`);
      const [row] = await tx.all<{ id: number }>('SELECT CAST(coalesce(max(view_id), 0) + 1 AS INTEGER) AS id FROM saved_views');
      await tx.run(`INSERT INTO saved_views (view_id, trace_id, name, url, created_at) VALUES ($1, $2, $3, $4, now() AT TIME ZONE 'UTC')`, [
        row!.id,
        view.trace_id,
        name,
        view.url,
      ]);
      return row!.id;
    }),
  );
  const [r] = await db.all<Record<string, unknown>>(`${SELECT} WHERE view_id = $1`, [id]);
  return toView(r!);
}

/** A trace's views (traceId null: the compare views), newest first. */
export async function listSavedViews(db: Db, traceId: number | null): Promise<SavedView[]> {
  const rows = await db.all<Record<string, unknown>>(`${SELECT} WHERE trace_id IS NOT DISTINCT FROM CAST($1 AS INTEGER) ORDER BY view_id DESC`, [traceId]);
  return rows.map(toView);
}

export async function deleteSavedView(db: Db, viewId: number): Promise<void> {
  const rows = await db.all('DELETE FROM saved_views WHERE view_id = $1 RETURNING view_id', [viewId]);
  if (rows.length === 0) throw new NotFoundError(`no saved view ${viewId}`);
}
