// Ids given as text — a trace, a replay run, an annotation, a saved view, in a URL path or query
// or on the command line: one schema for every route handler, page and CLI option that reads one,
// and for resolveTrace's "id or name". Ids are INTEGER row ids, so digits only and at most nine of
// them (a longer run of digits could overflow the column and is no id we ever made); anything
// else is "no such thing", never a database error.

import { z } from 'zod';

export const ID = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number);

/** The id in a path segment or query value, or null when it is not one. */
export function parseId(raw: string | null | undefined): number | null {
  const r = ID.safeParse(raw);
  return r.success ? r.data : null;
}

/** Every id in a comma-separated list (?runs=3,5), in order, and the items that are not ids. */
export function parseIdList(raw: string): { ids: number[]; bad: string[] } {
  const ids: number[] = [];
  const bad: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    const id = parseId(item);
    if (id === null) bad.push(item);
    else ids.push(id);
  }
  return { ids, bad };
}
