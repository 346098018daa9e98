// The server's own limits, over HTTP against a real `next start`: PRITRACE_MAX_UPLOAD_BYTES
// (413 with a message naming the variable, whether the client declares Content-Length or
// streams chunked; exactly the limit passes; nothing stored and no temp file left) and
// PRITRACE_SQL_TIMEOUT_MS (a SQL console statement past it is interrupted with a 504 that says
// so, and the server answers the next query).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../e2e/server.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';
import { assertBuilt, request, sql, upload, uploadTempFiles } from './server-support.ts';

const SAMPLE = path.join(TRACES_DIR, 'intel-v6.9-trace.txt');
const LIMIT = fs.statSync(SAMPLE).size;
const SQL_TIMEOUT_MS = 300;
const TOO_LARGE = new RegExp(`^upload exceeds the limit of ${LIMIT} bytes \\(PRITRACE_MAX_UPLOAD_BYTES\\)$`);

describe('server limits over HTTP', { timeout: 5 * 60_000 }, () => {
  const dir = tempDir('pritrace-server-limits-');
  const oneOver = path.join(dir, 'one-over.txt');
  const large = path.join(dir, 'large.txt');
  let server: Server;

  before(async () => {
    assertBuilt();
    fs.writeFileSync(oneOver, Buffer.concat([fs.readFileSync(SAMPLE), Buffer.from('\n')]));
    fs.writeFileSync(large, Buffer.alloc(3 * 2 ** 20, 'x'));
    server = await startServer({ env: { PRITRACE_MAX_UPLOAD_BYTES: String(LIMIT), PRITRACE_SQL_TIMEOUT_MS: String(SQL_TIMEOUT_MS) } });
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const traceCount = async () => ((await request(`${server.url}/api/traces`)).json as unknown[]).length;

  it('an upload of exactly PRITRACE_MAX_UPLOAD_BYTES is accepted', async () => {
    const r = await upload(server.url, SAMPLE);
    assert.equal(r.status, 201, r.text);
    assert.equal(await traceCount(), 1);
  });

  for (const [label, file, chunked] of [
    ['one byte over, with Content-Length', () => oneOver, false],
    ['one byte over, chunked (no Content-Length)', () => oneOver, true],
    ['3 MiB, with Content-Length', () => large, false],
    ['3 MiB, chunked (no Content-Length)', () => large, true],
  ] as const) {
    it(`an upload ${label} is refused with 413 naming the limit; nothing stored, no temp file`, async () => {
      const job = `limit-${chunked ? 'chunked' : 'length'}-${path.basename(file(), '.txt')}`;
      const r = await upload(server.url, file(), { chunked, job });
      assert.equal(r.status, 413, r.text);
      const body = r.json as { error: string; limit_bytes: number };
      assert.match(body.error, TOO_LARGE);
      assert.equal(body.limit_bytes, LIMIT);
      assert.equal(await traceCount(), 1, 'nothing stored');
      assert.deepEqual(uploadTempFiles(server.uploadDir), [], 'no upload temp file left');
      // The progress poller sees why it failed (a refusal on Content-Length never starts a job).
      const j = await request(`${server.url}/api/ingest-jobs/${job}`);
      if (j.status === 200) assert.match((j.json as { phase: string; error: string }).error, TOO_LARGE);
      else assert.equal(j.status, 404);
    });
  }

  it('after a chunked 413 the connection stays usable: the next request on it is answered', async () => {
    // One kept-alive socket: each refused upload is followed by a GET on the same connection.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const target = new URL(server.url);
    const send = (method: string, pathname: string, body?: string) =>
      new Promise<{ status: number; text: string; reused: boolean }>((resolve, reject) => {
        const req = http.request({ host: target.hostname, port: target.port, method, path: pathname, agent }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, text, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        if (body === undefined) return req.end();
        fs.createReadStream(body).pipe(req); // no Content-Length: chunked
      });
    try {
      for (let i = 0; i < 10; i++) {
        const refused = await send('POST', '/api/traces?filename=large.txt', large);
        assert.equal(refused.status, 413, refused.text);
        const next = await send('GET', '/api/traces');
        assert.equal(next.status, 200, `request after refusal ${i + 1}`);
        assert.ok(next.reused, 'the GET went over the same connection');
      }
    } finally {
      agent.destroy();
    }
    assert.deepEqual(uploadTempFiles(server.uploadDir), []);
  });

  it('the server still takes an upload within the limit after the refusals', async () => {
    const r = await upload(server.url, SAMPLE, { chunked: true });
    assert.equal(r.status, 201, r.text);
    assert.equal(await traceCount(), 2);
  });

  it(`a SQL console statement past PRITRACE_SQL_TIMEOUT_MS (${SQL_TIMEOUT_MS} ms) is interrupted with a clear 504`, async () => {
    const t0 = performance.now();
    const r = await request(`${server.url}/api/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT count(*) FROM range(100000000000) a WHERE a.range = -1' }),
    });
    const ms = performance.now() - t0;
    assert.equal(r.status, 504, r.text);
    assert.deepEqual(r.json, {
      error: `the statement ran longer than the console's limit of ${SQL_TIMEOUT_MS} ms and was interrupted; the limit is the server's PRITRACE_SQL_TIMEOUT_MS (up to 300000): start the server with it set higher, or narrow the statement`,
      timeout_ms: SQL_TIMEOUT_MS,
    });
    assert.ok(ms < 10_000, `interrupted promptly (answered after ${Math.round(ms)} ms)`);
    // The interrupted connection is gone; the next query runs.
    assert.deepEqual(await sql(server.url, 'SELECT count(*) AS n FROM traces'), [{ n: 2 }]);
  });
});
