// How commands get the database: the same path rule as the server (lib/db/path.ts), opened
// for the command's duration and closed after, so the file lock is held only while needed.
// A command is the process's only user of the database, so it takes the progress connection.

import { openDb, closeDbInstance, type Db, type OpenOptions } from '../db/instance.ts';
import { resolveDbPath } from '../db/path.ts';

export async function withDatabase<T>(dbOption: string | undefined, fn: (db: Db) => Promise<T>, opts: Pick<OpenOptions, 'memoryDefault'> = {}): Promise<T> {
  const dbPath = resolveDbPath(dbOption);
  const db = await openDb(dbPath, { ...opts, progress: true });
  try {
    return await fn(db);
  } finally {
    db.close();
    await closeDbInstance(dbPath);
  }
}
