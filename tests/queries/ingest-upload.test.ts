// The upload path of lib/services/ingest-jobs.ts (what POST /api/traces calls): a streamed body
// lands in a temp file with a random name, is ingested, and the temp file is gone afterwards
// whether the trace was accepted, rejected or over the size limit; the job records progress.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { TraceRejectedError, UploadTooLargeError } from '../../lib/core/errors.ts';
import { enqueueIngest, getJob, ingestUpload, isValidJobId, uploadDir } from '../../lib/services/ingest-jobs.ts';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { listTraces } from '../../lib/queries/traces.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';

function body(file: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
}

describe('ingestUpload', () => {
  let home = '';
  let dbPath = '';
  const saved = { dir: process.env.PRITRACE_UPLOAD_DIR, max: process.env.PRITRACE_MAX_UPLOAD_BYTES };
  before(() => {
    home = tempDir('pritrace-upload-');
    dbPath = path.join(home, 'data', 'test.duckdb');
    process.env.PRITRACE_UPLOAD_DIR = path.join(home, 'uploads');
  });
  after(async () => {
    await closeDbInstance(dbPath);
    if (saved.dir === undefined) delete process.env.PRITRACE_UPLOAD_DIR;
    else process.env.PRITRACE_UPLOAD_DIR = saved.dir;
    if (saved.max === undefined) delete process.env.PRITRACE_MAX_UPLOAD_BYTES;
    else process.env.PRITRACE_MAX_UPLOAD_BYTES = saved.max;
    fs.rmSync(home, { recursive: true, force: true });
  });

  const leftovers = () => (fs.existsSync(uploadDir()) ? fs.readdirSync(uploadDir()) : []);
  const traceCount = async () => {
    const db = await openDb(dbPath);
    try {
      return (await listTraces(db)).length;
    } finally {
      db.close();
    }
  };

  it('ingests a streamed .gz body under the client name and removes the temp file', async () => {
    const file = path.join(TRACES_DIR, 'intel-v6.9-trace.txt.gz');
    const r = await ingestUpload({ body: body(file), displayName: 'my trace.txt.gz', jobId: 'job-ok-0001', declaredBytes: fs.statSync(file).size, dbPath });
    assert.equal(r.name, 'my trace.txt.gz');
    assert.equal(r.groups.answered, 10);
    assert.deepEqual(leftovers(), []);
    const job = getJob('job-ok-0001')!;
    assert.equal(job.phase, 'done');
    assert.equal(job.trace_id, r.trace_id);
    assert.equal(job.bytes_received, fs.statSync(file).size);
  });

  it('a rejected file leaves no trace and no temp file, and the job says why', async () => {
    const bad = path.join(home, 'bad.txt');
    const good = fs.readFileSync(path.join(TRACES_DIR, 'intel-v6.9-trace.txt'), 'utf8').split('\n');
    good[24] = good[24]!.replace(/rid=0x[0-9a-f]+/, 'rid=0xZZ');
    good[26] = good[26]!.replace(/addr=0x[0-9a-f]+/, 'addr=nope');
    fs.writeFileSync(bad, good.join('\n'));
    const tracesBefore = await traceCount();
    await assert.rejects(ingestUpload({ body: body(bad), displayName: 'bad.txt', jobId: 'job-bad-0001', dbPath }), (e: unknown) => {
      assert.ok(e instanceof TraceRejectedError);
      assert.deepEqual(
        e.locations.map((l) => [l.location.file, l.location.line]),
        [
          ['bad.txt', 25],
          ['bad.txt', 27],
        ],
      );
      return true;
    });
    assert.equal(await traceCount(), tracesBefore);
    assert.deepEqual(leftovers(), []);
    assert.equal(getJob('job-bad-0001')!.phase, 'failed');
    assert.match(getJob('job-bad-0001')!.error!, /bad lines|lines are bad/);
  });

  it('stops reading past PRITRACE_MAX_UPLOAD_BYTES and removes the partial file', async () => {
    process.env.PRITRACE_MAX_UPLOAD_BYTES = '1000';
    try {
      await assert.rejects(ingestUpload({ body: body(path.join(TRACES_DIR, 'intel-v6.9-trace.txt')), displayName: 'big.txt', dbPath }), UploadTooLargeError);
    } finally {
      delete process.env.PRITRACE_MAX_UPLOAD_BYTES;
    }
    assert.deepEqual(leftovers(), []);
  });

  it('job ids are short safe tokens only', () => {
    assert.ok(isValidJobId('a1B2c3D4'));
    assert.ok(!isValidJobId('../../etc'));
    assert.ok(!isValidJobId('short'));
    assert.ok(!isValidJobId('x'.repeat(65)));
  });

  it('runs queued ingests one after another, even after a failure', async () => {
    const order: string[] = [];
    const slow = enqueueIngest(async () => {
      await new Promise((r) => setTimeout(r, 30));
      order.push('a');
      throw new Error('boom');
    });
    const next = enqueueIngest(async () => {
      order.push('b');
      return 2;
    });
    await assert.rejects(slow, /boom/);
    assert.equal(await next, 2);
    assert.deepEqual(order, ['a', 'b']);
  });

  it('waiting ingests go smallest first, so one huge upload does not hold the small ones behind it', async () => {
    const order: string[] = [];
    const step = (name: string) => async () => {
      order.push(`${name} start`);
      await new Promise((r) => setTimeout(r, 10));
      order.push(`${name} end`);
      return name;
    };
    // `huge` starts at once (nothing runs); the rest queue behind it and go by size.
    const all = [enqueueIngest(step('huge'), 4e9), enqueueIngest(step('big'), 2e9), enqueueIngest(step('tiny'), 1e3), enqueueIngest(step('small'), 1e6)];
    assert.deepEqual(await Promise.all(all), ['huge', 'big', 'tiny', 'small']);
    assert.deepEqual(order, ['huge start', 'huge end', 'tiny start', 'tiny end', 'small start', 'small end', 'big start', 'big end']);
  });
});
