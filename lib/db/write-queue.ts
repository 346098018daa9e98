// Serialises read-then-write steps (max + 1 ids, "name not taken yet" checks) per database
// file. One process holds a DuckDB file, so a per-process queue makes them race-free; DuckDB
// itself would let two overlapping appends both commit. Used by annotations and saved views.

const queueKey = Symbol.for('pritrace.db.writeQueue');
type GlobalWithQueue = typeof globalThis & { [queueKey]?: Map<string, Promise<unknown>> };

/** Runs fn after every earlier queued step on the same file; Next may load this module twice, so the queue lives on globalThis. */
export function queued<T>(dbPath: string, fn: () => Promise<T>): Promise<T> {
  const g = globalThis as GlobalWithQueue;
  const queues = (g[queueKey] ??= new Map());
  const run = (queues.get(dbPath) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => undefined);
  queues.set(dbPath, tail);
  void tail.then(() => {
    if (queues.get(dbPath) === tail) queues.delete(dbPath);
  });
  return run;
}
