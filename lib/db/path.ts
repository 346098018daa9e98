// Where the database file lives: `--db PATH`, else $PRITRACE_DB, else data/pritrace.duckdb
// under the project home. The CLI and the server both call this, so they always agree.
// PRITRACE_HOME is set by bin/pritrace so the CLI finds the project's file from any cwd.

import path from 'node:path';

export function resolveDbPath(explicit?: string | null): string {
  if (explicit) return path.resolve(explicit);
  const fromEnv = process.env.PRITRACE_DB;
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(process.env.PRITRACE_HOME ?? process.cwd(), 'data', 'pritrace.duckdb');
}
