// The Parquet lake for pages: whether one is configured, and a connection on it. The lake opens
// as its own read-only in-memory DuckDB instance (lib/db/instance.ts, `lake:` paths), beside the
// server's database when there is one; it is the database itself in lake-only mode.

import 'server-only';
import { LAKE_DB_PREFIX, openDb, type Db } from '@/lib/db/instance.ts';
import { lakeDir, lakeOnly } from '@/lib/db/lake/config.ts';

export function configuredLake(): { dir: string; only: boolean } | null {
  const dir = lakeDir();
  return dir ? { dir, only: lakeOnly() } : null;
}

export async function withLakeDb<T>(dir: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(`${LAKE_DB_PREFIX}${dir}`);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
