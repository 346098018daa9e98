// The one place the project reads its environment. Every PRITRACE_* setting is named below with
// what it means (README "Limits" and the sections it cites say the same for users); callers ask
// for a setting by name, so a misspelt one does not compile. Values are read when used, never
// cached: the server and the tests change them between calls. A malformed value throws an
// error naming the variable and what it accepts.

export const SETTINGS = {
  PRITRACE_HOME: 'project folder holding data/ and traces/ (bin/pritrace sets it; else the current directory)',
  PRITRACE_DB: 'database file when no --db is given (else data/pritrace.duckdb under the project folder)',
  PRITRACE_DUCKDB_MEMORY: "DuckDB's buffer-pool cap, e.g. 384MB (larger work spills to <db>.tmp)",
  PRITRACE_LAKE: 'Parquet lake folder: ingests publish into it, /fleet reads it',
  PRITRACE_LAKE_ONLY: 'set (not 0): serve PRITRACE_LAKE read-only instead of a database file',
  PRITRACE_UPLOAD_DIR: 'where uploads wait for their ingest (else data/uploads under the project folder)',
  PRITRACE_UPLOAD_IDLE_MS: 'ms an upload body may send nothing before it is dropped',
  PRITRACE_MAX_UPLOAD_BYTES: 'largest upload, bytes',
  PRITRACE_MAX_JSON_BYTES: 'largest JSON request body, bytes',
  PRITRACE_ALLOWED_HOSTS: 'host names the server answers besides IP literals and localhost, comma-separated',
  PRITRACE_MAX_BAD_LINE_RATIO: 'fraction of bad lines before a file is rejected',
  PRITRACE_MAX_LINE_BYTES: 'longest line, bytes',
  PRITRACE_MAX_DECOMPRESSED_BYTES: 'gunzipped size cap of a .gz, bytes',
  PRITRACE_MAX_GZIP_RATIO: 'gunzipped size cap as a multiple of the compressed size',
  PRITRACE_MAX_EVENTS: 'most events one trace may hold',
  PRITRACE_SQL_TIMEOUT_MS: 'most a SQL console statement may run, ms',
  PRITRACE_SQL_MAX_CONCURRENT: 'SQL console statements at once',
} as const;

export type SettingName = keyof typeof SETTINGS;

/** The setting's text; unset and empty both read as undefined (the default applies). */
export function envText(name: SettingName): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

type NumberRule = 'non-negative' | 'positive' | 'positive integer';

function accepts(n: number, rule: NumberRule): boolean {
  if (!Number.isFinite(n)) return false;
  if (rule === 'non-negative') return n >= 0;
  if (rule === 'positive') return n > 0;
  return Number.isSafeInteger(n) && n > 0;
}

/** The setting as a number under rule, or fallback when unset. */
export function envNumber(name: SettingName, fallback: number, rule: NumberRule): number {
  const v = envText(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!accepts(n, rule)) throw new Error(`${name} must be a ${rule}${rule === 'positive integer' ? '' : ' number'}, got ${JSON.stringify(v)}`);
  return n;
}

/** The project folder, data/ and traces/ under it; may be relative (to the current directory). Imports nothing: proxy.ts reads settings too. */
export function projectHome(): string {
  return envText('PRITRACE_HOME') ?? process.cwd();
}
