// Shared by the hardening tests: the CLI as a child process, which process holds a database, a
// seeded PRNG, row counts and the orphan check, a small concurrency pool, and scoped environment
// variables. Not a test file.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../lib/db/instance.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'pritrace');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `bin/pritrace ARGS` in a child process (no shell), with its own env additions and cwd. */
export function runCli(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, [...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, PRITRACE_DB: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** True when process pid has dbPath (or its WAL) open, read from /proc/<pid>/fd. */
export function holdsDatabase(pid: number, dbPath: string): boolean {
  const fdDir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = fs.readdirSync(fdDir);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const target = fs.readlinkSync(path.join(fdDir, fd));
      if (target === dbPath || target === `${dbPath}.wal`) return true;
    } catch {
      // the fd closed while we looked
    }
  }
  return false;
}

/** mulberry32: a small seeded PRNG, so every random choice in these tests is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RowCounts {
  traces: number;
  events: number;
  fault_groups: number;
}

export async function rowCounts(db: Db): Promise<RowCounts> {
  const [r] = await db.all<Record<string, bigint>>(
    'SELECT (SELECT count(*) FROM traces) AS t, (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM fault_groups) AS g',
  );
  return { traces: Number(r!.t), events: Number(r!.e), fault_groups: Number(r!.g) };
}

/** Rows of events / fault_groups whose trace_id has no traces row (must always be 0). */
export async function orphanRows(db: Db): Promise<{ events: number; fault_groups: number }> {
  const [r] = await db.all<Record<string, bigint>>(
    `SELECT (SELECT count(*) FROM events WHERE trace_id NOT IN (SELECT trace_id FROM traces)) AS e,
            (SELECT count(*) FROM fault_groups WHERE trace_id NOT IN (SELECT trace_id FROM traces)) AS g`,
  );
  return { events: Number(r!.e), fault_groups: Number(r!.g) };
}

/** Runs fn over items with at most `width` running at once; results in input order. */
export async function pool<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** Sets environment variables for the duration of fn (in-process ingests read limits from env). */
export async function withEnv<T>(vars: Record<string, string> | undefined, fn: () => Promise<T>): Promise<T> {
  if (!vars || Object.keys(vars).length === 0) return fn();
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
