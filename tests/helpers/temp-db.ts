// A real DuckDB file per test (never a mock), removed afterwards. Tests that ingest use
// `withTempDb` so each runs against its own database and never against data/.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDbInstance, openDb, type Db } from '../../lib/db/instance.ts';

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix = 'pritrace-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export async function withTempDb<T>(fn: (db: Db, dbPath: string) => Promise<T>): Promise<T> {
  const dir = tempDir();
  const dbPath = path.join(dir, 'test.duckdb');
  const db = await openDb(dbPath);
  try {
    return await fn(db, dbPath);
  } finally {
    db.close();
    await closeDbInstance(dbPath);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes text to a temp file and returns its path. */
export function tempFile(name: string, content: string | Buffer): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, content);
  return file;
}

export const TRACES_DIR = path.resolve(import.meta.dirname, '..', '..', 'traces');
