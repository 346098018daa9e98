// Postmortem annotations: notes on a trace that mark a time range and/or a device/PASID.
// Called by the trace pages (create, edit, delete, list) and by the postmortem report.
// The text is stored exactly as written; every place that shows it escapes it (lib/postmortem
// does for Markdown/HTML). Ids are max + 1, with creates queued per database file
// (write-queue.ts) so max + 1 is race-free.

import { InvalidAnnotationError, NotFoundError } from '../core/errors.ts';
import type { Db, SqlParam } from './instance.ts';
import { queued } from './write-queue.ts';

export const ANNOTATION_LIMITS = {
  authorChars: 100,
  textChars: 10_000,
  deviceChars: 64,
  maxPasid: 0xfffff,
} as const;

/** What a caller supplies to create a note. Times are ns on the trace clock, like events.ts_ns. */
export interface AnnotationInput {
  trace_id: number;
  /** Both null (no range) or both set with start_ns ≤ end_ns; an instant is start_ns = end_ns. */
  start_ns?: bigint | null;
  end_ns?: bigint | null;
  device?: string | null;
  pasid?: number | null;
  author: string;
  text: string;
}

/** Fields an edit may change; absent fields keep their value, null clears an optional one. */
export type AnnotationPatch = Partial<Omit<AnnotationInput, 'trace_id'>>;

export interface Annotation {
  annotation_id: number;
  trace_id: number;
  /** Exact, on the trace clock (may exceed 2^53: simulator traces start there). */
  start_ns: bigint | null;
  end_ns: bigint | null;
  /** start_ns − the trace's first event, ns: what time charts plot (JSON-safe). */
  start_offset_ns: number | null;
  end_offset_ns: number | null;
  device: string | null;
  pasid: number | null;
  author: string;
  text: string;
  /** UTC, 'YYYY-MM-DD HH:MM:SS'. */
  created_at: string;
  updated_at: string;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

interface Normalised {
  start_ns: bigint | null;
  end_ns: bigint | null;
  device: string | null;
  pasid: number | null;
  author: string;
  text: string;
}

function chars(s: string): number {
  // Code points, not UTF-16 units, so the cap means what a person counts.
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function checkString(field: 'author' | 'text' | 'device', value: unknown, max: number): string {
  if (typeof value !== 'string') throw new InvalidAnnotationError(field, 'must be a string');
  if (value.trim() === '') throw new InvalidAnnotationError(field, 'must not be empty');
  if (chars(value) > max) throw new InvalidAnnotationError(field, `must be at most ${max} characters`);
  if (value.includes('\u0000')) throw new InvalidAnnotationError(field, 'must not contain NUL characters');
  return value;
}

function checkTime(field: 'start_ns' | 'end_ns', value: unknown): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'bigint') throw new InvalidAnnotationError(field, 'must be a bigint number of nanoseconds or null');
  if (value < INT64_MIN || value > INT64_MAX) throw new InvalidAnnotationError(field, 'is outside the 64-bit range');
  return value;
}

function normalise(input: Omit<AnnotationInput, 'trace_id'>): Normalised {
  const author = checkString('author', input.author, ANNOTATION_LIMITS.authorChars).trim();
  const text = checkString('text', input.text, ANNOTATION_LIMITS.textChars);
  const start = checkTime('start_ns', input.start_ns);
  const end = checkTime('end_ns', input.end_ns);
  if ((start === null) !== (end === null)) throw new InvalidAnnotationError('range', 'give both start_ns and end_ns, or neither');
  if (start !== null && end !== null && start > end) throw new InvalidAnnotationError('range', `start_ns ${start} is after end_ns ${end}`);
  const device = input.device === null || input.device === undefined ? null : checkString('device', input.device, ANNOTATION_LIMITS.deviceChars).trim();
  const pasid = input.pasid ?? null;
  if (pasid !== null && (!Number.isInteger(pasid) || pasid < 0 || pasid > ANNOTATION_LIMITS.maxPasid)) {
    throw new InvalidAnnotationError('pasid', `must be an integer in [0, ${ANNOTATION_LIMITS.maxPasid}] or null`);
  }
  return { start_ns: start, end_ns: end, device, pasid, author, text };
}

const SELECT = `SELECT a.annotation_id, a.trace_id, a.start_ns, a.end_ns,
    a.start_ns - t.first_ts_ns AS start_offset_ns, a.end_ns - t.first_ts_ns AS end_offset_ns,
    a.device, a.pasid, a.author, a.text,
    strftime(a.created_at, '%Y-%m-%d %H:%M:%S') AS created_at, strftime(a.updated_at, '%Y-%m-%d %H:%M:%S') AS updated_at
  FROM annotations a JOIN traces t USING (trace_id)`;

function toAnnotation(r: Record<string, unknown>): Annotation {
  const big = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as bigint));
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    annotation_id: Number(r.annotation_id),
    trace_id: Number(r.trace_id),
    start_ns: big(r.start_ns),
    end_ns: big(r.end_ns),
    start_offset_ns: n(r.start_offset_ns),
    end_offset_ns: n(r.end_offset_ns),
    device: r.device === null ? null : String(r.device),
    pasid: n(r.pasid),
    author: String(r.author),
    text: String(r.text),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
  };
}

async function requireTrace(db: Db, traceId: number): Promise<void> {
  if (!Number.isInteger(traceId)) throw new InvalidAnnotationError('trace_id', 'must be an integer');
  const rows = await db.all('SELECT 1 FROM traces WHERE trace_id = $1', [traceId]);
  if (rows.length === 0) throw new NotFoundError(`no trace with id ${traceId}`);
}

export async function createAnnotation(db: Db, input: AnnotationInput): Promise<Annotation> {
  const v = normalise(input);
  await requireTrace(db, input.trace_id);
  const id = await queued(db.path, () =>
    db.transaction(async (tx) => {
      const [row] = await tx.all<{ id: number }>('SELECT CAST(coalesce(max(annotation_id), 0) + 1 AS INTEGER) AS id FROM annotations');
      const params: SqlParam[] = [row!.id, input.trace_id, v.start_ns, v.end_ns, v.device, v.pasid, v.author, v.text];
      await tx.run(
        `INSERT INTO annotations (annotation_id, trace_id, start_ns, end_ns, device, pasid, author, text, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')`,
        params,
      );
      return row!.id;
    }),
  );
  return getAnnotation(db, id);
}

export async function getAnnotation(db: Db, annotationId: number): Promise<Annotation> {
  const rows = await db.all<Record<string, unknown>>(`${SELECT} WHERE a.annotation_id = $1`, [annotationId]);
  if (!rows[0]) throw new NotFoundError(`no annotation ${annotationId}`);
  return toAnnotation(rows[0]);
}

/** A trace's notes in time order: ranged notes by start (then end), then notes with no range, each by id. */
export async function listAnnotations(db: Db, traceId: number): Promise<Annotation[]> {
  const rows = await db.all<Record<string, unknown>>(`${SELECT} WHERE a.trace_id = $1 ORDER BY a.start_ns NULLS LAST, a.end_ns NULLS LAST, a.annotation_id`, [
    traceId,
  ]);
  return rows.map(toAnnotation);
}

export async function updateAnnotation(db: Db, annotationId: number, patch: AnnotationPatch): Promise<Annotation> {
  const current = await getAnnotation(db, annotationId);
  const pick = <K extends keyof AnnotationPatch>(k: K, was: AnnotationPatch[K]): AnnotationPatch[K] => (patch[k] !== undefined ? patch[k] : was);
  const v = normalise({
    start_ns: pick('start_ns', current.start_ns),
    end_ns: pick('end_ns', current.end_ns),
    device: pick('device', current.device),
    pasid: pick('pasid', current.pasid),
    author: pick('author', current.author) as string,
    text: pick('text', current.text) as string,
  });
  await db.run(
    `UPDATE annotations SET start_ns = $2, end_ns = $3, device = $4, pasid = $5, author = $6, text = $7, updated_at = now() AT TIME ZONE 'UTC'
     WHERE annotation_id = $1`,
    [annotationId, v.start_ns, v.end_ns, v.device, v.pasid, v.author, v.text],
  );
  return getAnnotation(db, annotationId);
}

export async function deleteAnnotation(db: Db, annotationId: number): Promise<void> {
  const rows = await db.all<{ annotation_id: number }>('DELETE FROM annotations WHERE annotation_id = $1 RETURNING annotation_id', [annotationId]);
  if (rows.length === 0) throw new NotFoundError(`no annotation ${annotationId}`);
}
