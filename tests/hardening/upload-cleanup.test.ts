// removeStaleUploads, which a server runs at start: it removes the upload temp files whose
// writer is gone (a dead pid, the pid it now has itself, or an unnamed writer) and keeps those of
// a live process — another server sharing the upload directory — and anything else in it. A
// zombie (a killed server its parent has not reaped) counts as dead.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { removeStaleUploads } from '../../lib/services/ingest-jobs.ts';
import { processAlive } from '../../lib/db/process-alive.ts';
import { tempDir } from '../helpers/temp-db.ts';

describe('upload temp files left by a dead server', () => {
  it('are removed at start; a live writer’s files and other files stay', () => {
    const dir = tempDir('pritrace-upload-cleanup-');
    // A pid that surely belonged to a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    assert.ok(deadPid > 0);
    const live = `${process.ppid}-${randomUUID()}.upload`;
    const stale = [`${deadPid}-${randomUUID()}.upload`, `${process.pid}-${randomUUID()}.upload`, `${randomUUID()}.upload`];
    const other = ['notes.txt', `${process.ppid}-not-a-uuid.upload`];
    for (const f of [live, ...stale, ...other]) fs.writeFileSync(path.join(dir, f), 'x');

    assert.deepEqual(removeStaleUploads(dir).sort(), [...stale].sort());
    assert.deepEqual(fs.readdirSync(dir).sort(), [live, ...other].sort());
    assert.deepEqual(removeStaleUploads(path.join(dir, 'missing')), [], 'a missing directory is not an error');
  });

  it('are removed when their writer is a zombie (killed, not yet reaped)', async () => {
    const dir = tempDir('pritrace-upload-zombie-');
    // The forked child exits at once and its parent never waits for it: a zombie for as long
    // as the parent sleeps, as a killed server is until its parent collects it. (A shell that
    // forks `true` and then execs `sleep` could reap the child first: the test then failed.)
    const parent = spawn('python3', ['-c', 'import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
      assert.ok(zombie > 0);
      const stat = () => fs.readFileSync(`/proc/${zombie}/stat`, 'latin1');
      for (let i = 0; i < 200 && !/\) Z /.test(stat()); i++) await new Promise((r) => setTimeout(r, 10));
      assert.match(stat(), /\) Z /, 'the child is a zombie');
      assert.doesNotThrow(() => process.kill(zombie, 0), 'kill(pid, 0) still succeeds on a zombie');
      assert.equal(processAlive(zombie), false);
      assert.equal(processAlive(parent.pid!), true);
      const file = `${zombie}-${randomUUID()}.upload`;
      const kept = `${parent.pid}-${randomUUID()}.upload`;
      fs.writeFileSync(path.join(dir, file), 'x');
      fs.writeFileSync(path.join(dir, kept), 'x');
      assert.deepEqual(removeStaleUploads(dir), [file]);
      assert.deepEqual(fs.readdirSync(dir), [kept]);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
