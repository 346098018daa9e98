// Read-only SQL for the /sql page: one SELECT over the trace tables, on its own connection,
// inside a READ ONLY transaction, with a row cap and a time limit (connection.interrupt()).
// Two walls: this module refuses anything but a plain SELECT over our tables before DuckDB binds
// it, and in the server DuckDB itself is confined (restrictFileAccess in db/instance.ts: external
// access off except the ingest directories, no extension loads, configuration locked).

import { JSDuckDBValueConverter, StatementType, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { QueryError, type RefusedClass, SlotsBusyError, SqlBusyError, SqlRefusedError, SqlTimeoutError } from '../core/errors.ts';
import { Slots } from '../core/slots.ts';
import { connectRaw, type Db } from '../db/instance.ts';
import { TABLES } from '../db/schema.ts';

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
 *    directories, attach databases, load extensions or change its configuration (db/instance.ts).
 */

export interface SqlConsoleOptions {
  /** Rows returned at most; more make `truncated` true. Default 10 000, at most 100 000. */
  maxRows: number;
  /** Statement time limit, ms. Default 5 000, at most 300 000. */
  timeoutMs: number;
  /** Longest accepted SQL text, characters. */
  maxSqlChars: number;
  /**
   * A cell whose text (strings, list elements, map and struct keys together) is longer is cut
   * and counted once in truncated_cells, so one cell cannot carry megabytes.
   */
  maxCellChars: number;
  /** The rows returned stop once their cells hold this many characters (truncated_by 'size'). */
  maxResultChars: number;
  /**
   * Shared by concurrent statements. A statement waits for a slot within its time limit and
   * keeps it until DuckDB has really returned, so a statement answered 504 still counts.
   */
  slots?: Slots;
}

export const SQL_CONSOLE_DEFAULTS: SqlConsoleOptions = {
  maxRows: 10_000,
  timeoutMs: 5_000,
  maxSqlChars: 100_000,
  maxCellChars: 10_000,
  maxResultChars: 8_000_000,
};

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
  /** More rows existed than were returned. */
  truncated: boolean;
  /** Which cap stopped the rows: maxRows, or maxResultChars. */
  truncated_by: 'rows' | 'size' | null;
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
/**
 * The catalog views that describe the tables, nothing else: pg_settings and the like read the
 * server's configuration, pg_database and pg_prepared_statements what other sessions opened.
 */
const CATALOG_VIEWS = new Map<string, ReadonlySet<string>>([
  [
    'information_schema',
    new Set([
      'tables',
      'columns',
      'schemata',
      'views',
      'table_constraints',
      'key_column_usage',
      'check_constraints',
      'referential_constraints',
      'constraint_column_usage',
      'constraint_table_usage',
    ]),
  ],
  [
    'pg_catalog',
    new Set(['pg_tables', 'pg_views', 'pg_class', 'pg_attribute', 'pg_namespace', 'pg_type', 'pg_index', 'pg_indexes', 'pg_constraint', 'pg_description']),
  ],
]);
const CATALOG_SCHEMAS = new Set(CATALOG_VIEWS.keys());
const SAFE_TABLE_FUNCTIONS = new Set([
  'range',
  'generate_series',
  'unnest',
  'json_each',
  'json_tree',
  'duckdb_tables',
  'duckdb_columns',
  'duckdb_views',
  'duckdb_types',
]);
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
/**
 * One call costs the product of its inputs' lengths (two 80 000-character strings: 20 s in
 * one call, which DuckDB cannot interrupt and already runs at prepare to fold constants).
 */
const QUADRATIC_FUNCTIONS = new Set(['levenshtein', 'damerau_levenshtein', 'editdist3', 'jaro_similarity', 'jaro_winkler_similarity']);
/** Refused outright: the output's size is an argument and the result is a list of anything. */
const RESIZE_FUNCTIONS = new Set(['list_resize', 'array_resize']);
/**
 * Functions whose output size is set by an argument, with the position of that argument. Such
 * a value is allocated inside one call, outside DuckDB's memory limit (`len(range(100000000))`
 * took the server to 9 GB), so the size must be an integer literal of at most MAX_GENERATED.
 */
const SIZE_ARGUMENTS = new Map<string, number>([
  ['repeat', 1],
  ['lpad', 1],
  ['rpad', 1],
  ['bar', 3],
  ['to_base', 2],
  ['equi_width_bins', 2],
]);
/** Elements or characters one sized call may produce. */
export const MAX_GENERATED = 4096;
/**
 * Worst-case output length over input length of functions that grow strings. Nested, they
 * multiply (hex(hex(hex(…)))) inside one expression, again outside the memory limit; a
 * statement's deepest product may not exceed MAX_AMPLIFICATION.
 */
const GROWTH = new Map<string, number>([
  ['hex', 2],
  ['to_hex', 2],
  ['base64', 2],
  ['to_base64', 2],
  ['bin', 8],
  ['to_binary', 8],
  ['url_encode', 3],
  ['upper', 2],
  ['ucase', 2],
  ['lower', 2],
  ['lcase', 2],
  ['translate', 4],
  ['to_json', 6],
  ['json_quote', 6],
  ['array_to_json', 6],
  ['row_to_json', 6],
  ['json_object', 6],
  ['json_array', 6],
  ['json_pretty', 6],
]);
export const MAX_AMPLIFICATION = 8;
/**
 * The only functions that may take a lambda: their output is at most their input. A mapping
 * lambda multiplies a list's length by its body's size, and list_reduce can double a value
 * per element (2^4096 from 4096 elements), all inside one call.
 */
const LAMBDA_FUNCTIONS = new Set(['list_filter', 'array_filter', 'filter']);
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

  // One deadline from arrival covers waiting for a slot, the checks, prepare (DuckDB folds
  // constant expressions there) and execution.
  const started = performance.now();
  const left = () => timeoutMs - (performance.now() - started);
  let release: () => void = () => undefined;
  if (o.slots) {
    try {
      release = await o.slots.acquire(left());
    } catch (e) {
      if (e instanceof SlotsBusyError) throw new SqlBusyError(o.slots.limit, { cause: e });
      throw e;
    }
  }
  let conn: DuckDBConnection;
  try {
    conn = await connectRaw(db);
  } catch (e) {
    release();
    throw e;
  }
  const state = { expired: false };
  const work = execute(conn, sql, maxRows, o, state).finally(() => {
    conn.closeSync();
    release();
  });
  let timer: NodeJS.Timeout | undefined;
  // The answer goes out at the deadline even if DuckDB is inside one long call that does not
  // look at its interrupt flag; the slot stays taken until that call returns.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        state.expired = true;
        conn.interrupt();
        reject(new SqlTimeoutError(timeoutMs));
      },
      Math.max(0, left()),
    );
  });
  try {
    const out = await Promise.race([work, deadline]);
    return { ...out, max_rows: maxRows, elapsed_ms: Math.round(performance.now() - started) };
  } catch (e) {
    if (state.expired) throw e instanceof SqlTimeoutError ? e : new SqlTimeoutError(timeoutMs, { cause: e });
    throw e;
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

async function execute(
  conn: DuckDBConnection,
  sql: string,
  maxRows: number,
  o: SqlConsoleOptions,
  state: { expired: boolean },
): Promise<Omit<ConsoleResult, 'max_rows' | 'elapsed_ms'>> {
  // interrupt() only reaches a statement that is running: between steps, look at the flag.
  const step = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (state.expired) throw new SqlTimeoutError(0);
    return fn();
  };
  await step(() => checkParseTree(conn, sql));
  const extracted = await step(() => parseStep(() => conn.extractStatements(sql)));
  if (extracted.count !== 1) throw new SqlRefusedError('multiple-statements', `exactly one statement is allowed, got ${extracted.count}`);
  const prepared = await step(() => parseStep(() => extracted.prepare(0)));
  if (prepared.statementType !== StatementType.SELECT) throw new SqlRefusedError('not-a-select', 'only a SELECT statement is allowed');
  try {
    await step(() => conn.run('BEGIN TRANSACTION READ ONLY'));
    const result = await step(() => prepared.stream());
    return await readCapped(result, maxRows, o.maxCellChars, o.maxResultChars, state);
  } catch (e) {
    if (e instanceof SqlTimeoutError || state.expired) throw e;
    throw new QueryError((e as Error).message, { cause: e });
  } finally {
    await conn.run('ROLLBACK').catch(() => undefined);
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
  const ctx: TreeContext = { database: c.db.toLowerCase(), functions: new Set(c.functions), types: new Set(c.types) };
  walk(tree.statements, ctx, new Set());
  amplification(tree.statements);
}

interface TreeContext {
  database: string;
  functions: Set<string>;
  types: Set<string>;
}

/**
 * A CTE name means the CTE only where SQL scoping says so: in the query that defines it, in the
 * CTEs defined after it, and in its own body when it is recursive. Anywhere else the same name
 * is a catalog object (WITH duckdb_settings AS (…) in one subquery must not let another
 * subquery read the real one).
 */
function walkCteMap(node: Node, ctx: TreeContext, scope: ReadonlySet<string>): ReadonlySet<string> {
  const map = isNode(node.cte_map) && Array.isArray(node.cte_map.map) ? node.cte_map.map : [];
  if (map.length === 0) return scope;
  const visible = new Set(scope);
  for (const entry of map) {
    if (!isNode(entry) || typeof entry.key !== 'string') continue;
    const name = entry.key.toLowerCase();
    const body = isNode(entry.value) ? entry.value : {};
    const recursive = isNode(body.query) && isNode(body.query.node) && body.query.node.type === 'RECURSIVE_CTE_NODE';
    walk(body, ctx, recursive ? new Set([...visible, name]) : new Set(visible));
    visible.add(name);
  }
  return visible;
}

function walk(node: unknown, ctx: TreeContext, scope: ReadonlySet<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, ctx, scope));
  if (!isNode(node)) return;
  if (isNode(node.cte_map)) {
    const { cte_map: _ctes, ...rest } = node;
    return walk(Object.values(rest), ctx, walkCteMap(node, ctx, scope));
  }
  if (node.type === 'BASE_TABLE') checkTable(node, ctx, scope);
  if (node.type === 'SHOW_REF' && node.query === null && !SHOW_NAMES.has(String(node.table_name))) {
    throw new SqlRefusedError('not-a-select', `SHOW ${String(node.table_name)} is not available; query duckdb_tables() or information_schema instead`);
  }
  if (node.type === 'TABLE_FUNCTION' && isNode(node.function)) {
    checkTableFunction(String(node.function.function_name));
    // The function node itself is a table function, not a scalar: walk only its arguments.
    walk(node.function.children, ctx, scope);
    const { function: _fn, ...rest } = node;
    return walk(Object.values(rest), ctx, scope);
  }
  if (typeof node.function_name === 'string') {
    checkFunction(node.function_name, ctx);
    const name = node.function_name.toLowerCase();
    if (!LAMBDA_FUNCTIONS.has(name) && Array.isArray(node.children) && node.children.some((c) => isNode(c) && c.class === 'LAMBDA')) {
      throw new SqlRefusedError(
        'size',
        `${name}() with a lambda can build values of any size in one call; only ${[...LAMBDA_FUNCTIONS].join(', ')} take lambdas here`,
      );
    }
  }
  if (node.id === 'UNBOUND' && isNode(node.type_info)) checkType(String(node.type_info.name), ctx);
  if (isNode(node.type_info) && typeof node.type_info.alias === 'string' && node.type_info.alias !== '') checkType(node.type_info.alias, ctx);
  for (const v of Object.values(node)) walk(v, ctx, scope);
}

function checkTable(node: Node, ctx: TreeContext, ctes: ReadonlySet<string>): void {
  const catalog = String(node.catalog_name ?? '').toLowerCase();
  const schema = String(node.schema_name ?? '').toLowerCase();
  const table = String(node.table_name ?? '');
  const name = table.toLowerCase();
  if (catalog !== '' && catalog !== ctx.database && catalog !== 'system') {
    throw new SqlRefusedError('attach', `only the trace database can be read, not catalog ${JSON.stringify(catalog)}`);
  }
  if (CATALOG_SCHEMAS.has(schema)) {
    if (CATALOG_VIEWS.get(schema)!.has(name)) return;
    throw new SqlRefusedError(
      'table',
      `${schema}.${name} is not available; the console reads ${[...CATALOG_VIEWS].flatMap(([s, v]) => [...v].map((n) => `${s}.${n}`)).join(', ')}`,
    );
  }
  if (schema !== '' && schema !== 'main') throw new SqlRefusedError('table', `unknown schema ${JSON.stringify(schema)}`);
  if (PROJECT_TABLES.has(name)) return;
  if (catalog === '' && schema === '' && ctes.has(name) && IDENTIFIER.test(table)) return;
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
  if (QUADRATIC_FUNCTIONS.has(name)) {
    throw new SqlRefusedError('function', `${name}() takes time proportional to the product of its inputs' lengths and cannot be interrupted`);
  }
  if (RESIZE_FUNCTIONS.has(name)) throw new SqlRefusedError('size', `${name}() builds a list of any size in one call`);
  if (!ctx.functions.has(name)) {
    throw new SqlRefusedError('extension', `function ${name}() is not loaded; the console never installs or loads extensions`);
  }
}

/** The value of a literal (through casts), or undefined when node is not one. */
function literal(node: unknown): unknown {
  if (!isNode(node)) return undefined;
  if (node.class === 'CONSTANT' && isNode(node.value)) return node.value.is_null ? undefined : node.value.value;
  if (node.class === 'CAST') return literal(node.child);
  return undefined;
}

function integerLiteral(node: unknown, fn: string, what: string): number {
  const v = literal(node);
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new SqlRefusedError('size', `${fn}(): ${what} must be an integer literal (at most ${MAX_GENERATED})`);
  return n;
}

function checkGeneratedSize(fn: string, n: number): void {
  if (Math.abs(n) > MAX_GENERATED) throw new SqlRefusedError('size', `${fn}() would produce ${n} elements or characters; at most ${MAX_GENERATED} are allowed`);
}

/** How many times longer than its longest input a function call's output can be; throws for calls whose size is unbounded. */
function growth(node: Node): number {
  const name = String(node.function_name).toLowerCase();
  const args = Array.isArray(node.children) ? node.children : [];
  if (name === 'range' || name === 'generate_series') {
    const [a, b, c] = args.map((x, i) => integerLiteral(x, name, `argument ${i + 1}`));
    const [start, stop, step] = args.length === 1 ? [0, a!, 1] : [a!, b!, c ?? 1];
    checkGeneratedSize(name, step === 0 ? Infinity : Math.ceil((stop - start) / step));
    return 1;
  }
  const at = SIZE_ARGUMENTS.get(name);
  if (at !== undefined && args.length > at) {
    const n = integerLiteral(args[at], name, `argument ${at + 1}`);
    checkGeneratedSize(name, n);
    if (name !== 'repeat') return 1;
    // A literal string repeated is a constant of known size; anything else grows n times.
    const s = literal(args[0]);
    if (typeof s === 'string') {
      checkGeneratedSize(name, s.length * n);
      return 1;
    }
    return Math.max(1, n);
  }
  if (name === 'printf' || name === 'format') {
    const f = literal(args[0]);
    if (typeof f !== 'string') throw new SqlRefusedError('size', `${name}(): the format must be a string literal`);
    if (/\*|\d{4,}|\{[^}]*\{/.test(f)) throw new SqlRefusedError('size', `${name}(): widths and precisions must be literal and under 1000`);
    return 1;
  }
  if (name === 'replace' || name === 'regexp_replace') {
    const r = literal(args[2]);
    if (typeof r !== 'string') throw new SqlRefusedError('size', `${name}(): the replacement must be a string literal`);
    return 1 + r.length;
  }
  return GROWTH.get(name) ?? 1;
}

/** The largest growth product along any path of nested calls; throws past MAX_AMPLIFICATION. */
function amplification(node: unknown): number {
  if (Array.isArray(node)) return node.reduce<number>((m, n) => Math.max(m, amplification(n)), 1);
  if (!isNode(node)) return 1;
  // A table function streams its rows (range(10^11) is interruptible): only its arguments count.
  if (node.type === 'TABLE_FUNCTION' && isNode(node.function)) return amplification(node.function.children);
  let inner = 1;
  for (const v of Object.values(node)) inner = Math.max(inner, amplification(v));
  if (node.class !== 'FUNCTION' || typeof node.function_name !== 'string') return inner;
  const product = inner * growth(node);
  if (product > MAX_AMPLIFICATION) {
    throw new SqlRefusedError(
      'size',
      `${String(node.function_name).toLowerCase()}(): nested calls can make a value ${product} times longer than their input; at most ${MAX_AMPLIFICATION} is allowed`,
    );
  }
  return product;
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

async function readCapped(
  result: DuckDBResult,
  maxRows: number,
  maxCellChars: number,
  maxResultChars: number,
  state: { expired: boolean },
): Promise<Omit<ConsoleResult, 'max_rows' | 'elapsed_ms'>> {
  const columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
  const rows: ConsoleValue[][] = [];
  let truncatedCells = 0;
  let chars = 0;
  let truncatedBy: ConsoleResult['truncated_by'] = null;
  while (truncatedBy === null) {
    if (state.expired) throw new SqlTimeoutError(0);
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const row of chunk.convertRows(JSDuckDBValueConverter)) {
      if (rows.length === maxRows) {
        truncatedBy = 'rows';
        break;
      }
      if (chars >= maxResultChars) {
        truncatedBy = 'size';
        break;
      }
      rows.push(
        row.map((v) => {
          const budget = { left: maxCellChars, cut: false };
          const out = toConsoleValue(v, budget);
          if (budget.cut) truncatedCells++;
          chars += maxCellChars - budget.left;
          return out;
        }),
      );
    }
  }
  return { columns, rows, truncated: truncatedBy !== null, truncated_by: truncatedBy, truncated_cells: truncatedCells };
}

/** What a cell may still spend, in characters of text (scalars count as a few). */
interface CellBudget {
  left: number;
  cut: boolean;
}

function toConsoleValue(v: unknown, b: CellBudget): ConsoleValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return text(v, b);
  if (v instanceof Uint8Array) return text(Buffer.from(v.subarray(0, Math.max(0, b.left) / 2 + 1)).toString('hex'), b, v.length * 2);
  b.left -= 8;
  if (typeof v === 'bigint') return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) {
    const out: ConsoleValue[] = [];
    for (const x of v) {
      if (b.left <= 0) {
        b.cut = true;
        break;
      }
      out.push(toConsoleValue(x, b));
    }
    return out;
  }
  if (typeof v === 'object') {
    const out: { [key: string]: ConsoleValue } = {};
    for (const [k, x] of Object.entries(v)) {
      if (b.left <= 0) {
        b.cut = true;
        break;
      }
      out[text(k, b)] = toConsoleValue(x, b);
    }
    return out;
  }
  return text(String(v), b);
}

/** s, cut to what the cell may still spend; fullLength when s is already a prefix of the value. */
function text(s: string, b: CellBudget, fullLength = s.length): string {
  const room = Math.max(0, b.left);
  if (fullLength <= room) {
    b.left -= fullLength;
    return s;
  }
  b.left = 0;
  b.cut = true;
  return `${s.slice(0, room)}…`;
}
