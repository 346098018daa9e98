// The lake in the browser: a dashboard with PRITRACE_LAKE publishes what it ingests; two
// read-only dashboards (PRITRACE_LAKE_ONLY) on the same lake answer /fleet and a trace page
// identically, with the figures of the database the traces came from, and refuse writes.
// Screenshots of /fleet at 1024 and 1440 px go to tests/e2e/screenshots/.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { publishTrace } from '../../lib/db/lake/publish.ts';
import { traceStats } from '../../lib/queries/trace-stats.ts';
import { tempDir, TRACES_DIR } from '../helpers/temp-db.ts';
import { databaseWith } from '../lake/support.ts';
import { SCREENSHOTS, assertPrerequisites, launchBrowser, startServer, type Server } from './server.ts';

describe('fleet dashboards on one lake', { timeout: 300_000 }, () => {
  const lake = tempDir('pritrace-lake-');
  let readers: Server[] = [];
  let browser: Browser;
  let uploaded: { trace_id: number; lake?: { trace: number; host: string } } = { trace_id: 0 };
  let bigLakeId = 0;
  let bigStats: Awaited<ReturnType<typeof traceStats>>;

  before(async () => {
    assertPrerequisites();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    // A publishing dashboard: an upload lands in its database and in the lake.
    const writer = await startServer({ env: { PRITRACE_LAKE: lake } });
    try {
      const body = fs.readFileSync(path.join(TRACES_DIR, 'intel-v6.9-trace.txt'));
      const res = await fetch(`${writer.url}/api/traces?filename=intel-v6.9-trace.txt`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/octet-stream', origin: writer.url },
      });
      assert.equal(res.status, 201, await res.clone().text());
      uploaded = (await res.json()) as typeof uploaded;
    } finally {
      await writer.stop();
    }
    // Two more hosts, published from a database of their own.
    const { dbPath, traceIds } = await databaseWith(['large-intel-v6.9.trace.gz', 'sim-small.csv']);
    const db = await openDb(dbPath);
    try {
      bigLakeId = (await publishTrace(db, traceIds[0]!, { lake, host: 'lab-b', kernel: '5.15.0' })).trace;
      await publishTrace(db, traceIds[1]!, { lake, host: 'lab-c', kernel: '6.11.0' });
      bigStats = await traceStats(db, traceIds[0]!);
    } finally {
      db.close();
      await closeDbInstance(dbPath);
    }
    const env = { PRITRACE_LAKE: lake, PRITRACE_LAKE_ONLY: '1' };
    readers = [await startServer({ env }), await startServer({ env })];
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    for (const r of readers) await r.stop();
  });

  it('an upload to a dashboard with PRITRACE_LAKE is published', () => {
    assert.ok(uploaded.lake && 'trace' in uploaded.lake, JSON.stringify(uploaded.lake));
    assert.equal(uploaded.lake.host, 'unknown');
  });

  it('both read-only dashboards show the same fleet and the same trace figures', async () => {
    const seen: string[][] = [];
    for (const [i, r] of readers.entries()) {
      const page = await browser.newPage({ viewport: { width: i === 0 ? 1440 : 1024, height: 900 } });
      await page.goto(`${r.url}/fleet`);
      const hosts = (await page.getByTestId('fleet-hosts').locator('tbody tr').allInnerTexts()).join('\n');
      const traces = await page.getByTestId('fleet-traces').innerText();
      await page.screenshot({ path: path.join(SCREENSHOTS, `fleet-${i === 0 ? 1440 : 1024}.png`), fullPage: true });
      await page.goto(`${r.url}/traces/${bigLakeId}/latency`);
      const figures = await page
        .getByTestId('latency-figures')
        .locator('[data-ns]')
        .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-testid')}=${e.getAttribute('data-ns')}`));
      seen.push([hosts, traces, ...figures]);
      await page.close();
    }
    assert.deepEqual(seen[0], seen[1]);
    const [hosts, , ...figures] = seen[0]!;
    // Slowest p99 first: the large sample's host.
    assert.match(hosts!.split('\n')[0]!, /^lab-b\t1\t120,000\t/);
    // The lake trace's figures are those of the database it was published from.
    assert.deepEqual(
      figures,
      (['p50', 'p90', 'p99', 'p999', 'max', 'mean'] as const).map((p) => `latency-${p}=${bigStats.latency_ns[p]}`),
    );
  });

  it('every trace page opens a lake trace without an error view', async () => {
    // An error view shows as a digest in the flight data or an errored Suspense boundary.
    const errorView = /\\?"digest\\?":|<!--\$!-->/;
    for (const tab of ['', '/latency', '/replay', '/annotations', '/report']) {
      const res = await fetch(`${readers[1]!.url}/traces/${bigLakeId}${tab}`);
      const html = await res.text();
      assert.equal(res.status, 200, tab);
      assert.doesNotMatch(html, errorView, `${tab || '/'} rendered an error view`);
      assert.match(html, /large-intel-v6\.9\.trace\.gz/, tab);
    }
  });

  it('a read-only dashboard refuses writes with 403 and stores nothing', async () => {
    const r = readers[0]!;
    const res = await fetch(`${r.url}/api/traces/${bigLakeId}/annotations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: r.url },
      body: JSON.stringify({ author: 'a', text: 'note', start_ns: 0, end_ns: 10 }),
    });
    assert.equal(res.status, 403, await res.text());
    const list = await fetch(`${r.url}/api/traces/${bigLakeId}/annotations`);
    assert.deepEqual(((await list.json()) as unknown[]).length, 0);
  });
});
