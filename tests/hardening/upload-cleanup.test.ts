// removeStaleUploads, which a server runs at start: it removes the upload temp files whose
// writer is gone (a dead pid, the pid it now has itself, or an unnamed writer) and keeps those of
// a live process — another server sharing the upload directory — and anything else in it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { removeStaleUploads } from '../../lib/db/ingest-jobs.ts';
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
});
