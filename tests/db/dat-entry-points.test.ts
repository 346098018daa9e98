// A trace-cmd .dat reaches ingest through both entry points users have: the upload path
// (what POST /api/traces calls; the body lands in a temp file named `*.upload`, so only the
// magic bytes can say what it is) and `pritrace ingest`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { closeDbInstance } from '../../lib/db/instance.ts';
import { ingestUpload } from '../../lib/services/ingest-jobs.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'pritrace');
const file = path.join(TRACES_DIR, 'intel-v7-zstd.dat');

describe('.dat through upload and CLI', () => {
  let home = '';
  let dbPath = '';
  const saved = process.env.PRITRACE_UPLOAD_DIR;
  before(() => {
    home = tempDir('pritrace-dat-');
    dbPath = path.join(home, 'data', 'test.duckdb');
    process.env.PRITRACE_UPLOAD_DIR = path.join(home, 'uploads');
  });
  after(async () => {
    await closeDbInstance(dbPath);
    if (saved === undefined) delete process.env.PRITRACE_UPLOAD_DIR;
    else process.env.PRITRACE_UPLOAD_DIR = saved;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('upload: a streamed .dat body is detected by its magic bytes and ingested', async () => {
    const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
    const r = await ingestUpload({ body, displayName: 'trace.dat', dbPath });
    assert.equal(r.format, 'trace-dat');
    assert.equal(r.events, 18);
    assert.equal(r.groups.answered, 4);
  });

  it('pritrace ingest FILE.dat', () => {
    const db = path.join(home, 'cli.duckdb');
    const r = spawnSync(BIN, ['ingest', file, '--db', db, '--json'], { encoding: 'utf8', env: { ...process.env, PRITRACE_DB: '' } });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { format: string; events: number; groups: { total: number } };
    assert.equal(out.format, 'trace-dat');
    assert.equal(out.events, 18);
    assert.equal(out.groups.total, 5);
  });
});
