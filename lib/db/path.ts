// Where the database file lives: `--db PATH`, else $PRITRACE_DB, else data/pritrace.duckdb
// under the project home. The CLI and the server both call this, so they always agree.
// PRITRACE_HOME is set by bin/pritrace so the CLI finds the project's file from any cwd.
// With PRITRACE_LAKE_ONLY the "database" is the Parquet lake, read-only (lib/db/lake/).

import path from 'node:path';
import { envText, projectHome } from '../core/config.ts';
import { LAKE_DB_PREFIX } from './instance.ts';
import { lakeDir, lakeOnly } from './lake/config.ts';

export function resolveDbPath(explicit?: string | null): string {
  if (explicit) return path.resolve(explicit);
  if (lakeOnly()) return `${LAKE_DB_PREFIX}${lakeDir()}`;
  const fromEnv = envText('PRITRACE_DB');
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(projectHome(), 'data', 'pritrace.duckdb');
}
