// Trace management: rename a trace, delete one with every row that belongs to it, and find
// the traces stored from the same file (same SHA-256) so an upload can offer the existing one.
// Deleting walks the schema's own table list: every table with a trace_id column loses the
// trace's rows, replay_results those of its runs, all in one transaction — a table added to
// the schema later is covered without touching this file. Writes are queued per database file
// like the other read-then-write steps (the "name not taken" check must not race).

import { NotFoundError, TraceNameError } from '../core/errors.ts';
import type { Db } from './instance.ts';
import { TABLES } from './schema.ts';
import { queued } from './write-queue.ts';

export const TRACE_NAME_MAX_CHARS = 200;

/** A name as it will be stored: trimmed, 1–200 characters, no control characters. */
export function checkTraceName(name: unknown): string {
  if (typeof name !== 'string') throw new TraceNameError('must be a string');
  const t = name.trim();
  if (t === '') throw new TraceNameError('must not be empty');
  if (t.length > TRACE_NAME_MAX_CHARS) throw new TraceNameError(`must be at most ${TRACE_NAME_MAX_CHARS} characters`);
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(t)) throw new TraceNameError('must not contain control characters');
  // A name of digits would shadow the trace with that id wherever TRACE is an id or a name.
  if (/^\d+$/.test(t)) throw new TraceNameError('must not be only digits (it would read as a trace id)');
  return t;
}

export interface RenamedTrace {
  trace_id: number;
  old_name: string;
  name: string;
}

export async function renameTrace(db: Db, traceId: number, newName: unknown): Promise<RenamedTrace> {
  const name = checkTraceName(newName);
  return queued(db.path, () =>
    db.transaction(async (tx) => {
      const [t] = await tx.all<{ name: string }>('SELECT name FROM traces WHERE trace_id = $1', [traceId]);
      if (!t) throw new NotFoundError(`no trace with id ${traceId}`);
      if (t.name === name) return { trace_id: traceId, old_name: t.name, name };
      const [other] = await tx.all<{ trace_id: number }>('SELECT trace_id FROM traces WHERE name = $1', [name]);
      if (other) throw new TraceNameError(`${JSON.stringify(name)} is already the name of trace ${other.trace_id}`, true);
      await tx.run('UPDATE traces SET name = $2 WHERE trace_id = $1', [traceId, name]);
      return { trace_id: traceId, old_name: t.name, name };
    }),
  );
}

/** Tables holding rows of a trace directly, traces itself last. */
function traceTables(): string[] {
  const direct = TABLES.filter((t) => t.name !== 'traces' && t.columns.some((c) => c.name === 'trace_id')).map((t) => t.name);
  return [...direct, 'traces'];
}

export interface DeletedTrace {
  trace_id: number;
  name: string;
  /** Rows removed per table. */
  removed: Record<string, number>;
}

export async function deleteTrace(db: Db, traceId: number): Promise<DeletedTrace> {
  return queued(db.path, () =>
    db.transaction(async (tx) => {
      const [t] = await tx.all<{ name: string }>('SELECT name FROM traces WHERE trace_id = $1', [traceId]);
      if (!t) throw new NotFoundError(`no trace with id ${traceId}`);
      const removed: Record<string, number> = {};
      const runs = 'SELECT run_id FROM replay_runs WHERE trace_id = $1';
      const [r] = await tx.all<{ n: bigint }>(`SELECT count(*) AS n FROM replay_results WHERE run_id IN (${runs})`, [traceId]);
      removed.replay_results = Number(r?.n ?? 0);
      await tx.run(`DELETE FROM replay_results WHERE run_id IN (${runs})`, [traceId]);
      // Table names come from the schema list, never from input.
      for (const table of traceTables()) {
        const [c] = await tx.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${table} WHERE trace_id = $1`, [traceId]);
        removed[table] = Number(c?.n ?? 0);
        await tx.run(`DELETE FROM ${table} WHERE trace_id = $1`, [traceId]);
      }
      return { trace_id: traceId, name: t.name, removed };
    }),
  );
}

export interface SameFileTrace {
  trace_id: number;
  name: string;
  ingested_at: string;
}

/** Other traces stored from a file with the same content hash as traceId's. */
export async function sameFileTraces(db: Db, traceId: number): Promise<SameFileTrace[]> {
  const [t] = await db.all<{ file_hash: string | null }>('SELECT file_hash FROM traces WHERE trace_id = $1', [traceId]);
  if (!t) throw new NotFoundError(`no trace with id ${traceId}`);
  if (!t.file_hash) return [];
  const rows = await db.all<{ trace_id: number; name: string; ingested_at: string }>(
    `SELECT trace_id, name, strftime(ingested_at, '%Y-%m-%d %H:%M:%S') AS ingested_at
     FROM traces WHERE file_hash = $1 AND trace_id <> $2 ORDER BY trace_id`,
    [t.file_hash, traceId],
  );
  return rows.map((r) => ({ trace_id: Number(r.trace_id), name: String(r.name), ingested_at: String(r.ingested_at) }));
}
