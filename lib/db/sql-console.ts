// Read-only SQL for the /sql page: one SELECT over the trace tables, on its own connection,
// inside a READ ONLY transaction, with a row cap and a time limit (connection.interrupt()).
// Two walls: this module refuses anything but a plain SELECT over our tables before DuckDB binds
// it, and in the server DuckDB itself is confined (restrictFileAccess in instance.ts: external
// access off except the ingest directories, no extension loads, configuration locked).

import {
  JSDuckDBValueConverter,
  StatementType,
  type DuckDBConnection,
  type DuckDBResult,
} from '@duckdb/node-api';
import { QueryError } from '../core/errors.ts';
import { connectRaw, type Db } from './instance.ts';
import { TABLES } from './schema.ts';

/*
 * How a statement is judged, in order, and why each step is there:
 * 1. DuckDB serialises the parse tree (json_serialize_sql, the bare parser): this works for
 *    SELECT alone, so INSERT, COPY, ATTACH, SET, PRAGMA, INSTALL, CALL, EXPORT, IMPORT, … stop
 *    here, before anything else sees them — extractStatements already opens the files of an
 *    IMPORT DATABASE, and binding a COPY FROM or a CSV replacement scan reads the file.
 *    Exactly one statement.
 * 2. The tree is walked with allowlists: tables are the project's tables, CTEs and
 *    information_schema/pg_catalog views; table functions are a few generators and catalog
 *    listings (never read_csv, read_parquet, glob, query, …); scalar functions and types must
 *    already be loaded (anything else would make DuckDB autoinstall an extension over the
 *    network); nextval, current_setting and sleeps are refused by name.
 * 3. Only now split (extractStatements) and prepared (bound); the type must be SELECT.
 * 4. Run in BEGIN TRANSACTION READ ONLY on a fresh connection: any write that slipped past the
 *    checks fails in DuckDB itself. Rows stream until the cap; a timer interrupts the connection.
 * 5. Behind all of this, the server's instance cannot read files outside its ingest
 *    directories, attach databases, load extensions or change its configuration (instance.ts).
 */

export interface SqlConsoleOptions {
  /** Rows returned at most; more make `truncated` true. Default 10 000, at most 100 000. */
  maxRows: number;
  /** Statement time limit, ms. Default 5 000, at most 300 000. */
  timeoutMs: number;
  /** Longest accepted SQL text, characters. */
  maxSqlChars: number;
  /** Longer text cells are cut (and counted in truncated_cells), so one cell cannot carry megabytes. */
  maxCellChars: number;
}

export const SQL_CONSOLE_DEFAULTS: SqlConsoleOptions = { maxRows: 10_000, timeoutMs: 5_000, maxSqlChars: 100_000, maxCellChars: 10_000 };

/** Why a statement was refused; part of the error so the page can say which rule it broke. */
export type RefusedClass =
  | 'empty'
  | 'too-long'
  | 'multiple-statements'
  | 'write'
  | 'copy'
  | 'attach'
  | 'export'
  | 'extension'
  | 'configuration'
  | 'call'
  | 'not-a-select'
  | 'file-access'
  | 'table-function'
  | 'table'
  | 'function';

export class SqlRefusedError extends Error {
  override readonly name = 'SqlRefusedError';
  constructor(
    readonly refused: RefusedClass,
    message: string,
  ) {
    super(`refused (${refused}): ${message}`);
  }
}

export class SqlTimeoutError extends Error {
  override readonly name = 'SqlTimeoutError';
  constructor(
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`the statement ran longer than ${timeoutMs} ms and was interrupted`, options);
  }
}

export type ConsoleValue = null | boolean | number | string | ConsoleValue[] | { [key: string]: ConsoleValue };

export interface ConsoleColumn {
  name: string;
  /** DuckDB's type name (BIGINT, VARCHAR, TIMESTAMP, …). */
  type: string;
}

export interface ConsoleResult {
  columns: ConsoleColumn[];
  /** JSON-safe: integers beyond 2^53 become decimal strings, times ISO strings, blobs hex. */
  rows: ConsoleValue[][];
  /** More rows existed than maxRows. */
  truncated: boolean;
  max_rows: number;
  truncated_cells: number;
  elapsed_ms: number;
}

export interface ConsoleTable {
  name: string;
  comment: string;
  columns: { name: string; type: string; comment: string }[];
}

/** The tables the console may read, with their schema comments (for the page's side panel). */
export function consoleTables(): ConsoleTable[] {
  return TABLES.map((t) => ({
    name: t.name,
    comment: t.comment,
    columns: t.columns.map((c) => ({ name: c.name, type: c.type.split(' ')[0]!, comment: c.comment })),
  }));
}

export interface ConsoleGuards {
  external_access: boolean;
  /** Directories DuckDB may still read (the ingest inputs) when external access is off. */
  readable_dirs: string[];
  configuration_locked: boolean;
}

/** DuckDB's own guards on db's instance, as the console page states them to its user. */
export async function consoleGuards(db: Db): Promise<ConsoleGuards> {
  const [row] = await db.all<{ external: boolean; dirs: string[]; locked: boolean }>(
    `SELECT current_setting('enable_external_access') AS external, current_setting('allowed_directories') AS dirs,
            current_setting('lock_configuration') AS locked`,
  );
  return { external_access: row!.external, readable_dirs: row!.dirs, configuration_locked: row!.locked };
}

const PROJECT_TABLES = new Set(TABLES.map((t) => t.name));
const CATALOG_SCHEMAS = new Set(['information_schema', 'pg_catalog']);
const SAFE_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree', 'duckdb_tables', 'duckdb_columns', 'duckdb_views', 'duckdb_types']);
const FILE_TABLE_FUNCTION = /^(read_|parquet_|sniff_csv$|glob$|.*_scan$|iceberg|delta|json_execute)/;
/** Loaded but refused: they change state, reveal configuration or only burn time. */
const REFUSED_FUNCTIONS = new Map<string, [RefusedClass, string]>([
  ['nextval', ['write', 'nextval() advances a sequence']],
  ['setval', ['write', 'setval() changes a sequence']],
  ['current_setting', ['configuration', 'current_setting() reads the server configuration']],
  ['sleep_ms', ['function', 'sleep_ms() only waits']],
  ['pg_sleep', ['function', 'pg_sleep() only waits']],
  ['write_log', ['write', 'write_log() writes to the log']],
]);
/** SHOW forms without a query (SHOW TABLES, SHOW ALL TABLES). */
const SHOW_NAMES = new Set(['"tables"', '__show_tables_expanded']);
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/i;

function clamp(v: number, lo: number, hi: number, name: string): number {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new RangeError(`${name} must be in [${lo}, ${hi}], got ${v}`);
  return Math.floor(v);
}

export async function runConsoleQuery(db: Db, sql: string, options: Partial<SqlConsoleOptions> = {}): Promise<ConsoleResult> {
  const o = { ...SQL_CONSOLE_DEFAULTS, ...options };
  const maxRows = clamp(o.maxRows, 1, 100_000, 'maxRows');
  const timeoutMs = clamp(o.timeoutMs, 1, 300_000, 'timeoutMs');
  if (typeof sql !== 'string' || sql.trim() === '') throw new SqlRefusedError('empty', 'no SQL given');
  if (sql.length > o.maxSqlChars) throw new SqlRefusedError('too-long', `the statement is longer than ${o.maxSqlChars} characters`);

  const conn = await connectRaw(db);
  try {
    await checkParseTree(conn, sql);
    const extracted = await parseStep(() => conn.extractStatements(sql));
    if (extracted.count !== 1) throw new SqlRefusedError('multiple-statements', `exactly one statement is allowed, got ${extracted.count}`);
    const prepared = await parseStep(() => extracted.prepare(0));
    if (prepared.statementType !== StatementType.SELECT) throw new SqlRefusedError('not-a-select', 'only a SELECT statement is allowed');

    const started = performance.now();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      conn.interrupt();
    }, timeoutMs);
    try {
      await conn.run('BEGIN TRANSACTION READ ONLY');
      const result = await prepared.stream();
      const out = await readCapped(result, maxRows, o.maxCellChars);
      return { ...out, max_rows: maxRows, elapsed_ms: Math.round(performance.now() - started) };
    } catch (e) {
      if (timedOut) throw new SqlTimeoutError(timeoutMs, { cause: e });
      throw new QueryError((e as Error).message, { cause: e });
    } finally {
      clearTimeout(timer);
      await conn.run('ROLLBACK').catch(() => undefined);
    }
  } finally {
    conn.closeSync();
  }
}

async function parseStep<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SqlRefusedError) throw e;
    throw new QueryError((e as Error).message, { cause: e });
  }
}

type Node = { [key: string]: unknown };
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

async function checkParseTree(conn: DuckDBConnection, sql: string): Promise<void> {
  const reader = await conn.runAndReadAll('SELECT json_serialize_sql(CAST($1 AS VARCHAR)) AS tree', [sql]);
  const tree = JSON.parse(String(reader.getRowObjectsJS()[0]!.tree)) as { error: boolean; error_message?: string; statements?: Node[] };
  if (tree.error) {
    if (/only select/i.test(tree.error_message ?? '')) throw refuseNonSelect(sql);
    throw new QueryError(tree.error_message ?? 'cannot parse the statement');
  }
  const count = tree.statements?.length ?? 0;
  if (count === 0) throw new SqlRefusedError('empty', 'no statement found');
  if (count > 1) throw new SqlRefusedError('multiple-statements', `exactly one statement is allowed, got ${count}`);
  const catalog = await conn.runAndReadAll(
    `SELECT current_database() AS db,
       (SELECT list(DISTINCT lower(function_name)) FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate', 'macro')) AS functions,
       (SELECT list(DISTINCT lower(type_name)) FROM duckdb_types()) AS types`,
  );
  const c = catalog.getRowObjectsJS()[0]! as { db: string; functions: string[]; types: string[] };
  const ctx: TreeContext = { database: c.db.toLowerCase(), functions: new Set(c.functions), types: new Set(c.types), ctes: new Set() };
  collectCtes(tree.statements, ctx.ctes);
  walk(tree.statements, ctx);
}

interface TreeContext {
  database: string;
  functions: Set<string>;
  types: Set<string>;
  ctes: Set<string>;
}

function collectCtes(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => collectCtes(n, out));
  if (!isNode(node)) return;
  const map = isNode(node.cte_map) && Array.isArray(node.cte_map.map) ? node.cte_map.map : [];
  for (const entry of map) if (isNode(entry) && typeof entry.key === 'string') out.add(entry.key.toLowerCase());
  for (const v of Object.values(node)) collectCtes(v, out);
}

function walk(node: unknown, ctx: TreeContext): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, ctx));
  if (!isNode(node)) return;
  if (node.type === 'BASE_TABLE') checkTable(node, ctx);
  if (node.type === 'SHOW_REF' && node.query === null && !SHOW_NAMES.has(String(node.table_name))) {
    throw new SqlRefusedError('not-a-select', `SHOW ${String(node.table_name)} is not available; query duckdb_tables() or information_schema instead`);
  }
  if (node.type === 'TABLE_FUNCTION' && isNode(node.function)) {
    checkTableFunction(String(node.function.function_name));
    // The function node itself is a table function, not a scalar: walk only its arguments.
    walk(node.function.children, ctx);
    const { function: _fn, ...rest } = node;
    return walk(Object.values(rest), ctx);
  }
  if (typeof node.function_name === 'string') checkFunction(node.function_name, ctx);
  if (node.id === 'UNBOUND' && isNode(node.type_info)) checkType(String(node.type_info.name), ctx);
  if (isNode(node.type_info) && typeof node.type_info.alias === 'string' && node.type_info.alias !== '') checkType(node.type_info.alias, ctx);
  for (const v of Object.values(node)) walk(v, ctx);
}

function checkTable(node: Node, ctx: TreeContext): void {
  const catalog = String(node.catalog_name ?? '').toLowerCase();
  const schema = String(node.schema_name ?? '').toLowerCase();
  const table = String(node.table_name ?? '');
  const name = table.toLowerCase();
  if (catalog !== '' && catalog !== ctx.database && catalog !== 'system') {
    throw new SqlRefusedError('attach', `only the trace database can be read, not catalog ${JSON.stringify(catalog)}`);
  }
  if (CATALOG_SCHEMAS.has(schema)) return;
  if (schema !== '' && schema !== 'main') throw new SqlRefusedError('table', `unknown schema ${JSON.stringify(schema)}`);
  if (PROJECT_TABLES.has(name)) return;
  if (catalog === '' && schema === '' && ctx.ctes.has(name) && IDENTIFIER.test(table)) return;
  if (/[./\\:]/.test(table)) {
    throw new SqlRefusedError('file-access', `reading files or URLs (FROM ${JSON.stringify(table)}) is not allowed`);
  }
  throw new SqlRefusedError('table', `unknown table ${JSON.stringify(table)}; the console reads ${[...PROJECT_TABLES].join(', ')}`);
}

function checkTableFunction(fn: string): void {
  const name = fn.toLowerCase();
  if (SAFE_TABLE_FUNCTIONS.has(name)) return;
  if (FILE_TABLE_FUNCTION.test(name)) throw new SqlRefusedError('file-access', `${name}() reads files or URLs`);
  throw new SqlRefusedError('table-function', `table function ${name}() is not allowed; allowed: ${[...SAFE_TABLE_FUNCTIONS].join(', ')}`);
}

function checkFunction(fn: string, ctx: TreeContext): void {
  const name = fn.toLowerCase();
  const refused = REFUSED_FUNCTIONS.get(name);
  if (refused) throw new SqlRefusedError(refused[0], refused[1]);
  if (!ctx.functions.has(name)) {
    throw new SqlRefusedError('extension', `function ${name}() is not loaded; the console never installs or loads extensions`);
  }
}

function checkType(type: string, ctx: TreeContext): void {
  if (!ctx.types.has(type.toLowerCase())) {
    throw new SqlRefusedError('extension', `type ${type} is not loaded; the console never installs or loads extensions`);
  }
}

/** Names the class of a statement DuckDB would not serialise as a SELECT, for the message only. */
function refuseNonSelect(sql: string): SqlRefusedError {
  const bare = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, ' ');
  const statements = bare.split(';').filter((part) => part.trim() !== '').length;
  if (statements > 1) return new SqlRefusedError('multiple-statements', `exactly one statement is allowed, got ${statements}`);
  const words = bare.toUpperCase().match(/[A-Z_]+/g) ?? [];
  const first = words[0] ?? '';
  const second = words[1] ?? '';
  if (first === 'UPDATE' && second === 'EXTENSIONS') return new SqlRefusedError('extension', 'updating extensions is not allowed');
  if (['INSTALL', 'LOAD', 'FORCE'].includes(first)) return new SqlRefusedError('extension', `${first} (extensions) is not allowed`);
  if (['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'COMMENT', 'VACUUM', 'CHECKPOINT', 'ANALYZE'].includes(first)) {
    return new SqlRefusedError('write', `${first} writes to the database; the console is read-only`);
  }
  if (first === 'WITH' && words.some((w) => ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(w))) {
    return new SqlRefusedError('write', 'the statement writes to the database; the console is read-only');
  }
  if (first === 'COPY') return new SqlRefusedError('copy', 'COPY reads or writes files');
  if (['ATTACH', 'DETACH', 'USE'].includes(first)) return new SqlRefusedError('attach', `${first} changes which databases are open`);
  if (['EXPORT', 'IMPORT'].includes(first)) return new SqlRefusedError('export', `${first} DATABASE reads or writes files`);
  if (['SET', 'RESET', 'PRAGMA'].includes(first)) return new SqlRefusedError('configuration', `${first} changes or reads configuration`);
  if (['CALL', 'EXECUTE', 'PREPARE', 'DEALLOCATE'].includes(first)) return new SqlRefusedError('call', `${first} is not allowed`);
  return new SqlRefusedError('not-a-select', `only a single SELECT statement is allowed${first ? `, not ${first}` : ''}`);
}

async function readCapped(result: DuckDBResult, maxRows: number, maxCellChars: number): Promise<Omit<ConsoleResult, 'max_rows' | 'elapsed_ms'>> {
  const columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
  const rows: ConsoleValue[][] = [];
  const cells = { truncated: 0, max: maxCellChars };
  let truncated = false;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const row of chunk.convertRows(JSDuckDBValueConverter)) {
      if (rows.length === maxRows) {
        truncated = true;
        break;
      }
      rows.push(row.map((v) => toConsoleValue(v, cells)));
    }
    if (truncated) break;
  }
  return { columns, rows, truncated, truncated_cells: cells.truncated };
}

function toConsoleValue(v: unknown, cells: { truncated: number; max: number }): ConsoleValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (v.length <= cells.max) return v;
    cells.truncated++;
    return `${v.slice(0, cells.max)}…`;
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return toConsoleValue(Buffer.from(v).toString('hex'), cells);
  if (Array.isArray(v)) return v.map((x) => toConsoleValue(x, cells));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toConsoleValue(x, cells)]));
  return String(v);
}
