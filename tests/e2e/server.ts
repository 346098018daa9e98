// Test harness for the browser tests: a production `next start` on a free port with its own
// temporary database, and Debian's chromium driven by playwright-core. `next start` forks a
// child server, so it runs in its own process group and the whole group is stopped after.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { tempDir } from '../helpers/temp-db.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'tests', 'e2e', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Server {
  url: string;
  port: number;
  /** The process group leader (`next start`, or `scripts/start.ts` for npm-start). */
  pid: number;
  dir: string;
  dbPath: string;
  uploadDir: string;
  log: string;
  /** SIGTERM to the group, SIGKILL after 5 s, and waits until every member is gone. */
  stop(): Promise<void>;
  /** SIGKILL to the whole group at once (no handler runs), and waits until it is gone. */
  kill(): Promise<void>;
}

export interface ServerOptions {
  /** The database (no other process may hold it); default a new one in the server's temp dir. */
  dbPath?: string;
  /** The upload temp directory; default `uploads` in the server's temp dir. */
  uploadDir?: string;
  /** Added to the server's environment (limits, HOST, …); `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /**
   * `next` runs `next start -H 127.0.0.1` directly; `npm-start` runs `scripts/start.ts` as
   * `npm start` does (its own host default, the hand-off record next to the database).
   */
  via?: 'next' | 'npm-start';
  /** Polled until it answers; default `/`, which opens the database. */
  readyPath?: string;
  /** How long it may take to answer (npm-start may build first); default 60 s. */
  readyTimeoutMs?: number;
  /** The project the server runs from; default this one (a test may run a copy of it). */
  root?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function assertPrerequisites(): void {
  if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('no production build: .next/BUILD_ID is missing. Run `npx next build` (npm run build) before the e2e tests.');
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium first (apt-get install -y chromium).`);
  }
}

async function waitForHttp(url: string, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${fs.readFileSync(log, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`next start did not answer ${url} within ${timeoutMs} ms:\n${fs.readFileSync(log, 'utf8').slice(-2000)}`);
}

/**
 * Starts a production server on a new temp database (or opts.dbPath) and a free port, in its
 * own process group, and waits until it answers HTTP.
 */
export async function startServer(opts: ServerOptions = {}): Promise<Server> {
  const dir = tempDir('pritrace-e2e-');
  const dbPath = opts.dbPath ?? path.join(dir, 'data', 'e2e.duckdb');
  // The upload temp files go to the test's own directory, never the project's data/.
  const uploadDir = opts.uploadDir ?? path.join(dir, 'uploads');
  const log = path.join(dir, 'server.log');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PRITRACE_DB: dbPath, PRITRACE_UPLOAD_DIR: uploadDir, NEXT_TELEMETRY_DISABLED: '1' };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const [command, args] =
    opts.via === 'npm-start'
      ? [process.execPath, ['--import', 'tsx', path.join(opts.root ?? ROOT, 'scripts', 'start.ts')]]
      : [path.join(opts.root ?? ROOT, 'node_modules', '.bin', 'next'), ['start', '-H', '127.0.0.1', '-p', String(port)]];
  if (opts.via === 'npm-start') env.PORT = String(port);
  const out = fs.openSync(log, 'a');
  const child = spawn(command, args, { cwd: opts.root ?? ROOT, env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const pid = child.pid!;
  const host = env.HOST && opts.via === 'npm-start' ? env.HOST : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  // Forked members may outlive the leader by a moment (or, after SIGTERM, keep the port while
  // they exit); wait until the whole group is gone so the next server can take the database.
  const groupGone = async () => {
    for (let i = 0; i < 100; i++) {
      if (!signalGroup(0)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    signalGroup('SIGKILL');
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!signalGroup('SIGTERM')) return;
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    await groupGone();
  };
  const kill = async () => {
    if (stopped) return;
    stopped = true;
    signalGroup('SIGKILL');
    await exited;
    await groupGone();
  };
  try {
    await waitForHttp(url + (opts.readyPath ?? '/'), child, log, opts.readyTimeoutMs ?? 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, pid, dir, dbPath, uploadDir, log, stop, kill };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Rows of a read-only query through the server's SQL console API (the test's oracle). */
export async function sqlRows(server: Server, text: string): Promise<unknown[][]> {
  const res = await fetch(`${server.url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: text }) });
  if (res.status !== 200) throw new Error(`SQL ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { rows: unknown[][] }).rows;
}
