// Shared by the lake tests: a database with traces ingested from the bundled samples, and the
// lake opened as a database (lake: path) for the duration of a callback.

import fs from 'node:fs';
import path from 'node:path';
import { ingestFile } from '../../lib/services/ingest.ts';
import { closeDbInstance, LAKE_DB_PREFIX, openDb, type Db } from '../../lib/db/instance.ts';
import { tempDir, TRACES_DIR } from '../helpers/temp-db.ts';

export async function withLake<T>(lake: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const p = `${LAKE_DB_PREFIX}${lake}`;
  const db = await openDb(p);
  try {
    return await fn(db);
  } finally {
    db.close();
    await closeDbInstance(p);
  }
}

/** A database file holding the given bundled samples, closed again (so a child process can open it). */
export async function databaseWith(samples: readonly string[]): Promise<{ dbPath: string; traceIds: number[] }> {
  const dbPath = path.join(tempDir('pritrace-lake-'), 'db.duckdb');
  const db = await openDb(dbPath);
  const traceIds: number[] = [];
  try {
    for (const s of samples) traceIds.push((await ingestFile(db, { file: path.join(TRACES_DIR, s) })).trace_id);
  } finally {
    db.close();
    await closeDbInstance(dbPath);
  }
  return { dbPath, traceIds };
}

/** Every file below dir with its size, sorted: what "the lake as it was" means on disk. */
export function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const full = path.join(e.parentPath, e.name);
      return `${path.relative(dir, full)} ${fs.statSync(full).size}`;
    })
    .sort();
}
