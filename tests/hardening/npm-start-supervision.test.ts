// `npm start` supervises the server (issue 10): when the server process dies — here SIGKILL,
// as the kernel's OOM killer sends — scripts/start.ts logs it and starts it again on the same
// address and database; the trace stored before is served again, and the hand-off record
// names the new server. Stopping `npm start` still stops everything.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { startServer, type Server } from '../e2e/server.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';
import { assertBuilt, groupPids, request, sleep } from './server-support.ts';

describe('npm start restarts a server that died', { timeout: 5 * 60_000 }, () => {
  const dir = tempDir('pritrace-supervise-');
  const dbPath = path.join(dir, 'db.duckdb');
  let server: Server;

  before(async () => {
    assertBuilt();
    // A database with a trace, so start.ts does not ingest its large sample first.
    const db = await openDb(dbPath);
    try {
      await ingestFile(db, { file: path.join(TRACES_DIR, 'intel-v6.9-trace.txt') });
    } finally {
      db.close();
      await closeDbInstance(dbPath);
    }
    server = await startServer({ via: 'npm-start', dbPath, env: { HOST: undefined } });
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('logs the death, restarts the server, and serves the same database again', async () => {
    const record = () => JSON.parse(fs.readFileSync(`${dbPath}.server.json`, 'utf8')) as { url: string; pid: number };
    const first = record();
    // Everything in the group but the supervisor itself: `next start` and the server it forked.
    const victims = groupPids(server.pid).filter((p) => p !== server.pid);
    assert.ok(victims.length >= 1, 'the server runs under the supervisor');
    for (const pid of victims) process.kill(pid, 'SIGKILL');

    const deadline = Date.now() + 90_000;
    let answered = false;
    while (Date.now() < deadline && !answered) {
      await sleep(500);
      try {
        answered = groupPids(server.pid).some((p) => !victims.includes(p) && p !== server.pid) && (await request(`${server.url}/api/traces`)).status === 200;
      } catch {
        // not listening yet
      }
    }
    assert.ok(answered, `the server answers again:\n${fs.readFileSync(server.log, 'utf8').slice(-2000)}`);
    const traces = (await request(`${server.url}/api/traces`)).json as { name: string }[];
    assert.deepEqual(
      traces.map((t) => t.name),
      ['intel-v6.9-trace.txt'],
    );
    const log = fs.readFileSync(server.log, 'utf8');
    assert.match(log, /\[pritrace start [^\]]+\] server pid \d+ died \((signal SIGKILL|exit code \d+)\) after [\d.]+ s; restart 1 in 1 s/);
    const second = record();
    assert.equal(second.url, first.url, 'same address');
    assert.notEqual(second.pid, first.pid, 'the record names the new server');
  });
});
