// The one owner of the native DuckDB handle. Everything else talks to the database through
// the small `Db` interface below (typed rows, bound parameters, transactions), so no other
// module imports @duckdb/node-api. Surprising: DuckDB lets one process hold a file, and Next
// evaluates server modules several times per process, so the server keeps one instance per
// path on globalThis; a second process gets DatabaseBusyError instead of an opaque lock error.

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { envText } from '../core/config.ts';
import { DatabaseBusyError, QueryError, ReadOnlyLakeError } from '../core/errors.ts';
import { appendColumns, createBatchAppender, type BatchAppender, type ColumnBlock } from './column-append.ts';
import { lakeInitialised, lakeViewStatements } from './lake/views.ts';
import { applySchema } from './schema.ts';

export type SqlParam = string | number | bigint | boolean | null;
export type Row = Record<string, unknown>;

export interface Db {
  readonly path: string;
  /** Rows with BIGINT/HUGEINT as bigint, DECIMAL as number, everything else as JS values. */
  all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Runs a statement; onProgress gets DuckDB's own progress estimate (0..1) while it runs, on a Db opened with `progress`. */
  run(sql: string, params?: readonly SqlParam[], onProgress?: (fraction: number) => void): Promise<void>;
  /** Runs fn inside BEGIN/COMMIT; any throw rolls the whole transaction back. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** DuckDB's Appender on a table (fastest path for JS-produced rows); joins the open transaction. */
  appender(table: string, columns: readonly ColumnKind[]): Promise<RowAppender>;
  /** A DataChunk appender for columnar event batches (column-append.ts); joins the open transaction. */
  batchAppender(table: string): Promise<BatchAppender>;
  /** Appends blocks of fixed-width columns to table as DataChunks (column-append.ts); joins the open transaction. */
  appendColumns(table: string, blocks: Iterable<ColumnBlock>): Promise<void>;
  close(): void;
}

export interface RowAppender {
  row(values: readonly SqlParam[]): void;
  close(): void;
}

/** How the appender writes each column; bigint columns stay bigint end to end. */
export type ColumnKind = 'varchar' | 'integer' | 'smallint' | 'bigint' | 'ubigint' | 'boolean' | 'double';

interface Holder {
  instance: DuckDBInstance;
  path: string;
  /**
   * The one connection that reports query progress. DuckDB tracks progress only with the
   * session's progress bar on, a per-connection setting that the server's locked
   * configuration refuses later, so it is set here, before the lock, and lent to one ingest at
   * a time (the server queues its ingests; the CLI runs one).
   */
  progressConn: DuckDBConnection;
  progressLent: boolean;
  /** Set when the database is a Parquet lake read through views: its folder, and whether it had been published to at open. */
  lake?: { dir: string; initialised: boolean };
}

/**
 * A database path that names a Parquet lake instead of a file: `lake:/path/to/lake`. It opens
 * as an in-memory instance whose tables are read-only views over the lake (lake/views.ts), so
 * any number of processes serve one lake with no lock between them.
 */
export const LAKE_DB_PREFIX = 'lake:';

const globalKey = Symbol.for('pritrace.duckdb.instances');
const accessKey = Symbol.for('pritrace.duckdb.readable-dirs');
type GlobalWithDb = typeof globalThis & { [globalKey]?: Map<string, Promise<Holder>>; [accessKey]?: readonly string[] };

/**
 * Confines every DuckDB instance this process opens from now on to reading files under dirs
 * (plus its own database and spill files): external access off, extensions never loaded, the
 * configuration locked so no statement can undo it. The server calls this at start-up, because
 * the SQL console runs user SQL on the same instance as the upload ingest (DuckDB lets one
 * process hold the file) and these guards are instance-wide; the CLI reads the user's own files
 * and stays unconfined.
 */
export function restrictFileAccess(dirs: readonly string[]): void {
  const g = globalThis as GlobalWithDb;
  if (g[globalKey]?.size) throw new Error('restrictFileAccess must run before the first database is opened');
  g[accessKey] = dirs.map((d) => path.resolve(d) + path.sep);
}

/** The directories DuckDB may read from, or null when this process is unconfined. */
export function readableDirs(): readonly string[] | null {
  return (globalThis as GlobalWithDb)[accessKey] ?? null;
}

function sqlStringList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')}]`;
}

/** SET cannot take bound parameters; the directories come from the server's own configuration. */
async function confine(conn: DuckDBConnection, dirs: readonly string[]): Promise<void> {
  await conn.run(`SET allowed_directories = ${sqlStringList(dirs)}`);
  await conn.run('SET enable_external_access = false');
  await conn.run('SET autoinstall_known_extensions = false');
  await conn.run('SET autoload_known_extensions = false');
  await conn.run('SET lock_configuration = true');
}

function isLockError(e: unknown): boolean {
  return e instanceof Error && /Could not set lock|Conflicting lock/i.test(e.message);
}

/**
 * DuckDB's buffer-pool cap. Its default (80% of RAM) would let one big ingest take GBs; with a
 * cap, large sorts and joins spill to `<db>.tmp` instead. PRITRACE_DUCKDB_MEMORY overrides;
 * otherwise the opener's default applies (the server's 384MB, a CLI ingest's smaller one).
 */
function memoryLimit(fallback = '384MB'): string {
  return envText('PRITRACE_DUCKDB_MEMORY') ?? fallback;
}

/**
 * DuckDB allocates outside V8 through its own jemalloc, which keeps freed pages until it decays
 * them; without background threads a statement's peak stayed resident into the next one. The SQL
 * console's memory attacks stacked the server to 787–1029 MiB peak RSS (the limit is 1 GiB);
 * with them 602–703 MiB. An ingest's time and peak RSS did not change (24.1 s, 530 MiB).
 */
function instanceOptions(memoryDefault?: string): Record<string, string> {
  return { memory_limit: memoryLimit(memoryDefault), allocator_background_threads: 'true' };
}

async function createLakeHolder(dbPath: string): Promise<Holder> {
  const dir = dbPath.slice(LAKE_DB_PREFIX.length);
  const instance = await DuckDBInstance.create(':memory:', instanceOptions());
  const c = await instance.connect();
  try {
    const initialised = lakeInitialised(dir);
    // Every page reads the same footers again; DuckDB validates a cached footer against the file (its modification time), so a republished file is read anew.
    await c.run('SET parquet_metadata_cache = true');
    for (const sql of lakeViewStatements(dir)) await c.run(sql);
    const progressConn = await instance.connect();
    const dirs = readableDirs();
    if (dirs) await confine(c, dirs);
    return { instance, path: dbPath, progressConn, progressLent: false, lake: { dir, initialised } };
  } catch (e) {
    instance.closeSync();
    throw e;
  } finally {
    c.closeSync();
  }
}

/** A lake empty at open reads as empty tables until its first publish; then the views read its files. */
async function refreshLakeViews(holder: Holder): Promise<void> {
  if (!holder.lake || holder.lake.initialised || !lakeInitialised(holder.lake.dir)) return;
  const c = await holder.instance.connect();
  try {
    for (const sql of lakeViewStatements(holder.lake.dir)) await c.run(sql);
    holder.lake.initialised = true;
  } finally {
    c.closeSync();
  }
}

async function createHolder(dbPath: string, memoryDefault?: string): Promise<Holder> {
  if (dbPath.startsWith(LAKE_DB_PREFIX)) return createLakeHolder(dbPath);
  if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(dbPath, instanceOptions(memoryDefault));
  } catch (e) {
    if (isLockError(e)) throw new DatabaseBusyError(dbPath, { cause: e });
    throw new QueryError(`cannot open database ${dbPath}: ${(e as Error).message}`, { cause: e });
  }
  const c = await instance.connect();
  try {
    await applySchema(wrap(c, dbPath, () => undefined));
    const progressConn = await instance.connect();
    // The bar itself must never print into our stdout; only its progress figure is read.
    await progressConn.run('SET enable_progress_bar = true');
    await progressConn.run('SET enable_progress_bar_print = false');
    const dirs = readableDirs();
    if (dirs) await confine(c, dirs);
    return { instance, path: dbPath, progressConn, progressLent: false };
  } catch (e) {
    instance.closeSync();
    throw e;
  } finally {
    c.closeSync();
  }
}

/**
 * Opens (or reuses, within this process) the database at dbPath. Long-lived processes (the
 * server) share one instance per path; short-lived ones (CLI, tests) close it when done.
 * `progress` borrows the connection that reports progress, when no one else holds it.
 */
export interface OpenOptions {
  progress?: boolean;
  /** The buffer-pool cap when this call creates the instance and PRITRACE_DUCKDB_MEMORY is unset. */
  memoryDefault?: string;
}

export async function openDb(dbPath: string, opts: OpenOptions = {}): Promise<Db> {
  const g = globalThis as GlobalWithDb;
  const map = (g[globalKey] ??= new Map());
  let p = map.get(dbPath);
  if (!p) {
    p = createHolder(dbPath, opts.memoryDefault);
    map.set(dbPath, p);
    p.catch(() => map.delete(dbPath));
  }
  const holder = await p;
  await refreshLakeViews(holder);
  const readOnly = holder.lake !== undefined;
  if (opts.progress && !holder.progressLent) {
    holder.progressLent = true;
    return wrap(holder.progressConn, dbPath, () => (holder.progressLent = false), readOnly);
  }
  const conn = await holder.instance.connect();
  return wrap(conn, dbPath, () => conn.closeSync(), readOnly);
}

/**
 * A bare native connection on db's instance, for lib/db modules that need what the Db
 * interface hides (statement extraction, streaming, interrupt). The caller closes it.
 */
export async function connectRaw(db: Db): Promise<DuckDBConnection> {
  const p = (globalThis as GlobalWithDb)[globalKey]?.get(db.path);
  if (!p) throw new QueryError(`database ${db.path} is not open in this process`);
  return (await p).instance.connect();
}

/** Closes the process-wide instance of dbPath (CLI exit, tests); releases the file lock. */
export async function closeDbInstance(dbPath: string): Promise<void> {
  const g = globalThis as GlobalWithDb;
  const p = g[globalKey]?.get(dbPath);
  if (!p) return;
  g[globalKey]!.delete(dbPath);
  const holder = await p.catch(() => null);
  holder?.progressConn.closeSync();
  holder?.instance.closeSync();
}

function toDuckValues(params: readonly SqlParam[] | undefined): DuckDBValue[] | undefined {
  return params ? (params as DuckDBValue[]) : undefined;
}

/** Our writes all start with one of these; a lake refuses them before DuckDB sees them. */
const WRITE_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|BEGIN)\b/i;

function wrap(conn: DuckDBConnection, dbPath: string, release: () => void, readOnly = false): Db {
  let inTx = false;
  const refuseWrite = (sql: string) => {
    if (readOnly && WRITE_STATEMENT.test(sql)) throw new ReadOnlyLakeError(sql.trim().split(/\s+/, 3).join(' '));
  };
  const db: Db = {
    path: dbPath,
    async all<T extends Row>(sql: string, params?: readonly SqlParam[]) {
      refuseWrite(sql);
      try {
        const reader = await conn.runAndReadAll(sql, toDuckValues(params));
        return reader.getRowObjectsJS() as T[];
      } catch (e) {
        throw new QueryError((e as Error).message, { cause: e });
      }
    },
    async run(sql: string, params?: readonly SqlParam[], onProgress?: (fraction: number) => void) {
      refuseWrite(sql);
      const timer = onProgress
        ? setInterval(() => {
            const p = conn.progress.percentage;
            if (p >= 0) onProgress(p / 100);
          }, 250)
        : null;
      try {
        await conn.run(sql, toDuckValues(params));
      } catch (e) {
        throw new QueryError((e as Error).message, { cause: e });
      } finally {
        if (timer) clearInterval(timer);
      }
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      if (inTx) return fn(db);
      await db.run('BEGIN TRANSACTION');
      inTx = true;
      try {
        const out = await fn(db);
        await db.run('COMMIT');
        return out;
      } catch (e) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        inTx = false;
      }
    },
    async appender(table, columns) {
      if (readOnly) throw new ReadOnlyLakeError(`append to ${table}`);
      const a = await conn.createAppender(table);
      return {
        row(values) {
          for (let i = 0; i < columns.length; i++) appendValue(a, columns[i]!, values[i] ?? null);
          a.endRow();
        },
        close() {
          a.closeSync();
        },
      };
    },
    batchAppender(table) {
      return createBatchAppender(conn, table);
    },
    async appendColumns(table, blocks) {
      if (readOnly) throw new ReadOnlyLakeError(`append to ${table}`);
      await appendColumns(conn, table, blocks);
    },
    close() {
      release();
    },
  };
  return db;
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

function appendValue(a: Appender, kind: ColumnKind, v: SqlParam): void {
  if (v === null) return a.appendNull();
  switch (kind) {
    case 'varchar':
      return a.appendVarchar(String(v));
    case 'integer':
      return a.appendInteger(Number(v));
    case 'smallint':
      return a.appendSmallInt(Number(v));
    case 'bigint':
      return a.appendBigInt(BigInt(v));
    case 'ubigint':
      return a.appendUBigInt(BigInt(v));
    case 'boolean':
      return a.appendBoolean(Boolean(v));
    case 'double':
      return a.appendDouble(Number(v));
  }
}
