// Replays and sweeps run on a worker thread (lib/replay/off-thread.ts), so the server keeps
// answering while one computes. Checked by order, not by timing: against `next start`, a PASID
// sweep of the large bundled sample (120 000 groups, 210 points) is started, and page and API
// requests sent after it must all complete while the sweep is still running.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TRACES_DIR } from '../helpers/temp-db.ts';
import { assertPrerequisites, startServer, type Server } from '../e2e/server.ts';

describe('server stays responsive during a sweep', { timeout: 300_000 }, () => {
  let server: Server;
  let traceId = 0;

  before(async () => {
    assertPrerequisites();
    server = await startServer();
    const body = fs.readFileSync(path.join(TRACES_DIR, 'large-intel-v6.9.trace.gz'));
    const res = await fetch(`${server.url}/api/traces?filename=large-intel-v6.9.trace.gz`, { method: 'POST', body });
    assert.equal(res.status, 201, await res.clone().text());
    traceId = ((await res.json()) as { trace_id: number }).trace_id;
  });

  after(async () => {
    await server?.stop();
    if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  });

  it('pages and the API answer while the sweep computes, and the sweep then completes', async () => {
    let sweepDone = false;
    const sweep = fetch(`${server.url}/api/traces/${traceId}/sweep`, { method: 'POST' }).then(async (r) => {
      sweepDone = true;
      return { status: r.status, body: (await r.json()) as { points?: number; cached?: boolean } };
    });
    // Let the sweep's request reach the server and its data load before the probes go out.
    await new Promise((r) => setTimeout(r, 1500));
    const answeredDuringSweep: string[] = [];
    for (const url of [`/traces/${traceId}`, `/api/traces`, `/traces/${traceId}/latency`, `/api/traces/${traceId}/stats`]) {
      const r = await fetch(server.url + url);
      assert.equal(r.status, 200, url);
      await r.arrayBuffer();
      if (!sweepDone) answeredDuringSweep.push(url);
    }
    const result = await sweep;
    assert.equal(result.status, 201, JSON.stringify(result.body));
    assert.equal(result.body.cached, false);
    assert.ok((result.body.points ?? 0) > 100, `the sweep computed its points: ${JSON.stringify(result.body)}`);
    assert.deepEqual(answeredDuringSweep.length, 4, `answered before the sweep ended: ${answeredDuringSweep.join(', ')}`);
  });
});
