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
  dir: string;
  dbPath: string;
  log: string;
  stop(): Promise<void>;
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

/** Starts `next start` on a new temp database, or on opts.dbPath (which no other process may hold). */
export async function startServer(opts: { dbPath?: string } = {}): Promise<Server> {
  const dir = tempDir('pritrace-e2e-');
  const dbPath = opts.dbPath ?? path.join(dir, 'data', 'e2e.duckdb');
  const log = path.join(dir, 'server.log');
  const port = await freePort();
  const out = fs.openSync(log, 'a');
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ROOT,
    // The upload temp files go to the test's own directory, never the project's data/.
    env: { ...process.env, PRITRACE_DB: dbPath, PRITRACE_UPLOAD_DIR: path.join(dir, 'uploads'), NEXT_TELEMETRY_DISABLED: '1' },
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
    // The forked server child may outlive its parent by a moment; wait until the group is gone.
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(-child.pid!, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  };
  try {
    await waitForHttp(url, child, log, 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, dir, dbPath, log, stop };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
