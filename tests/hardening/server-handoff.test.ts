// The server as `npm start` runs it (scripts/start.ts): it listens on 127.0.0.1 only unless
// HOST says otherwise (read from the kernel's socket table, and tried through this machine's
// other addresses), and while it holds the database `pritrace ingest --db <same file>` hands
// the file to it (DESIGN §7): a good file is stored with the same counts as a clean ingest, a
// bad one is a located one-line rejection with exit 1, an oversize one names the server's
// limit; once the server stops, its record is gone and the CLI opens the file itself.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestFile } from '../../lib/services/ingest.ts';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { simulate, writeIntelFtrace } from '../../lib/sim/index.ts';
import { startServer, type Server } from '../e2e/server.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';
import { runCli } from './support.ts';
import { assertBuilt, countsOf, storedTraces, storedTracesViaServer, uploadTempFiles, type TraceCounts } from './server-support.ts';

const SAMPLE = path.join(TRACES_DIR, 'intel-v6.9-trace.txt');
const MAX_UPLOAD = 8 * 2 ** 20;

/** A database that already holds a trace, so scripts/start.ts skips ingesting its large sample. */
async function seededDb(dbPath: string): Promise<void> {
  const db = await openDb(dbPath);
  try {
    await ingestFile(db, { file: SAMPLE });
  } finally {
    db.close();
    await closeDbInstance(dbPath);
  }
}

/** /proc/net/tcp{,6} addresses: IPv4 as little-endian hex, IPv6 as four little-endian words. */
function decodeAddress(hex: string): string {
  const bytes = (h: string) => h.match(/../g)!.map((b) => parseInt(b, 16));
  if (hex.length === 8) return bytes(hex).reverse().join('.');
  const words = hex.match(/.{8}/g)!.flatMap((w) => bytes(w).reverse());
  const groups = Array.from({ length: 8 }, (_, i) => ((words[2 * i]! << 8) | words[2 * i + 1]!).toString(16));
  return groups.join(':');
}

/** The local addresses with a listening TCP socket on port, from the kernel's tables. */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue; // 0A: LISTEN
      const [addr, portHex] = f[1]!.split(':');
      if (parseInt(portHex!, 16) === port) out.push(decodeAddress(addr!));
    }
  }
  return out.sort();
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

describe('the server as npm start runs it: loopback only, CLI hand-off', { timeout: 8 * 60_000 }, () => {
  const dir = tempDir('pritrace-handoff-');
  const file = path.join(dir, 'handed.trace');
  const bad = path.join(dir, 'bad.trace');
  const oversize = path.join(dir, 'oversize.trace');
  const refDb = path.join(dir, 'reference.duckdb');
  const dbPath = path.join(dir, 'data', 'served.duckdb');
  let reference: TraceCounts;
  let server: Server | null = null;

  before(async () => {
    assertBuilt();
    const sim = simulate({ seed: 31, groups: 15_000, devicesPerIommu: 2, pasidsPerDevice: 4 });
    const chunks: string[] = [];
    writeIntelFtrace(sim.events, (c) => chunks.push(c));
    fs.writeFileSync(file, chunks.join(''));
    // An ftrace file with 2 bad lines in 200 (over the 1% threshold): rejected with locations.
    const lines = chunks.join('').split('\n').slice(0, 200);
    lines[150] = 'garbage one';
    lines[160] = 'garbage two';
    fs.writeFileSync(bad, lines.join('\n') + '\n');
    fs.writeFileSync(oversize, Buffer.alloc(MAX_UPLOAD + 1, 'x'));
    const clean = await runCli(['ingest', file, '--db', refDb, '--json']);
    assert.equal(clean.code, 0, clean.stderr);
    const db = await openDb(refDb);
    try {
      reference = countsOf((await storedTraces(db)).traces[0]!);
    } finally {
      db.close();
      await closeDbInstance(refDb);
    }
    await seededDb(dbPath);
    // HOST unset: the default is what this test is about.
    server = await startServer({ via: 'npm-start', dbPath, env: { HOST: undefined, PRITRACE_MAX_UPLOAD_BYTES: String(MAX_UPLOAD) } });
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only', async () => {
    assert.deepEqual(listeningAddresses(server!.port), ['127.0.0.1']);
    assert.ok(await connects('127.0.0.1', server!.port));
    // Link-local IPv6 addresses need their interface to be reachable at all.
    const others = Object.entries(os.networkInterfaces()).flatMap(([name, addrs]) =>
      (addrs ?? []).filter((a) => !a.internal).map((a) => (a.address.startsWith('fe80:') ? `${a.address}%${name}` : a.address)),
    );
    for (const address of others) assert.equal(await connects(address, server!.port), false, `reachable through ${address}`);
  });

  it('HOST tells it otherwise', async () => {
    // 127.0.0.2 is a loopback address other than the default, so the test exposes nothing.
    const otherDb = path.join(dir, 'other', 'other.duckdb');
    await seededDb(otherDb);
    const other = await startServer({ via: 'npm-start', dbPath: otherDb, env: { HOST: '127.0.0.2' } });
    try {
      assert.deepEqual(listeningAddresses(other.port), ['127.0.0.2']);
      assert.equal(await connects('127.0.0.1', other.port), false);
    } finally {
      await other.stop();
    }
  });

  it('pritrace ingest hands a good file to the server, which stores it whole', async () => {
    const record = JSON.parse(fs.readFileSync(`${dbPath}.server.json`, 'utf8')) as { url: string };
    assert.equal(record.url, server!.url, 'the server recorded its address next to the database');
    const r = await runCli(['ingest', file, '--db', dbPath, '--name', 'handed over', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { trace_id: number; name: string; events: number };
    assert.equal(result.name, 'handed over');
    assert.equal(result.events, reference.events);
    // Read back through the server, which still holds the file.
    const stored = (await storedTracesViaServer(server!.url)).traces.find((t) => t.trace_id === result.trace_id);
    assert.ok(stored, 'the trace is in the served database');
    assert.equal(stored.source_file, 'handed.trace');
    assert.deepEqual(countsOf(stored), reference);
  });

  it('a bad file handed over is a located one-line rejection, exit 1, nothing stored', async () => {
    const before = (await storedTracesViaServer(server!.url)).traces.length;
    const r = await runCli(['ingest', bad, '--db', dbPath]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^pritrace: bad\.trace: 2 of \d+ lines are bad .*first bad lines: bad\.trace:151:1: .*; bad\.trace:161:1: /);
    assert.equal((await storedTracesViaServer(server!.url)).traces.length, before);
  });

  it('an oversize file handed over is refused with the server limit, nothing stored', async () => {
    const before = (await storedTracesViaServer(server!.url)).traces.length;
    const r = await runCli(['ingest', oversize, '--db', dbPath]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`upload exceeds the limit of ${MAX_UPLOAD} bytes \\(PRITRACE_MAX_UPLOAD_BYTES\\)`));
    assert.equal((await storedTracesViaServer(server!.url)).traces.length, before);
    assert.deepEqual(uploadTempFiles(server!.uploadDir), []);
  });

  it('once the server stops its record is gone and the CLI opens the database itself', async () => {
    await server!.stop();
    server = null;
    assert.equal(fs.existsSync(`${dbPath}.server.json`), false);
    const r = await runCli(['ingest', SAMPLE, '--db', dbPath, '--json']);
    assert.equal(r.code, 0, r.stderr);
  });
});
