// Issue 12 in a real browser: the replay page's verdict card shows the same numbers as
// `pritrace whatif --json` on the same saved runs, the sensitivity tornado is drawn, and the
// rebuilt scaling page ranks the structures by what the device waits — on the bundled sample
// a list at 2^20 − 1 PASIDs is the worst line, not the best — with drops and drain load on
// the same x axis and the hypothetical structures labelled; a held-out run's card says which
// groups fitted and which were checked. Screenshots at 1024 and 1440 px.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { WhatifResult } from '../../lib/replay/whatif.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';
import { ROOT, SCREENSHOTS, assertPrerequisites, launchBrowser, startServer, type Server } from './server.ts';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'bin', 'pritrace');
const WIDTHS = [1024, 1440];

describe('what-if, sensitivity and scaling in a browser', { timeout: 300_000 }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let cli: WhatifResult;
  const dbPath = path.join(tempDir('pritrace-e2e-whatif-'), 'whatif.duckdb');
  const pageErrors: string[] = [];

  before(async () => {
    assertPrerequisites();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    // The CLI writes the runs first (one process holds a DuckDB file at a time), then the server reads them.
    const env = { ...process.env, PRITRACE_DB: '' };
    await run(BIN, ['ingest', path.join(TRACES_DIR, 'intel-v6.9-trace.txt'), '--db', dbPath], { env });
    const out = await run(BIN, ['whatif', '1', '--a', 'per-device@v5.14', '--b', 'domain-wide@v6.9', '--json', '--db', dbPath], { env });
    cli = JSON.parse(out.stdout) as WhatifResult;
    await run(BIN, ['sensitivity', '1', '--preset', 'v6.9', '--seeds', '2', '--db', dbPath], { env });
    server = await startServer({ dbPath });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const shots = async (name: string) => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= inner, `${name}: page is ${scroll}px wide in a ${inner}px window`);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
    }
  };

  it('the verdict card states the CLI verdict and the same differences, for the same two runs', async () => {
    await page.goto(`${server.url}/traces/1/replay?runs=${cli.a.run_id},${cli.b.run_id}`);
    const verdict = page.locator('[data-testid="whatif-verdict"]');
    await verdict.waitFor();
    assert.equal((await verdict.textContent())?.trim(), cli.verdict);
    for (const p of ['p50', 'p90', 'p99', 'max'] as const) {
      const row = page.locator(`[data-testid="whatif-table"] tr[data-percentile="${p}"]`);
      const d = cli.difference.device_latency_ns[p]!;
      assert.equal(Number(await row.getAttribute('data-diff')), d.value, `${p} difference`);
      assert.equal(Number(await row.getAttribute('data-lo')), d.lo, `${p} lo`);
      assert.equal(Number(await row.getAttribute('data-hi')), d.hi, `${p} hi`);
      assert.equal(await row.getAttribute('data-significant'), String(d.significant), `${p} significant`);
    }
    // Without ?runs the card compares the two latest runs: the same pair here.
    await page.goto(`${server.url}/traces/1/replay`);
    assert.equal((await page.locator('[data-testid="whatif-verdict"]').textContent())?.trim(), cli.verdict);
    // The percentile table shows intervals, the stage bar and the tornado are drawn.
    await page.goto(`${server.url}/traces/1/replay?runs=${cli.a.run_id},${cli.b.run_id}`);
    assert.match((await page.locator('[data-testid="replay-percentiles"]').textContent()) ?? '', /± /);
    // Recorded, and per run its CDF and the two curves of its seed range.
    await page.locator('[data-testid="chart-replay-cdf"] path.recharts-line-curve').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('[data-testid="chart-replay-cdf"] path.recharts-line-curve').count(), 7);
    await page.locator('[data-testid="chart-stage-time"] .recharts-bar-rectangle').first().waitFor({ state: 'attached' });
    await page.locator('[data-testid="chart-tornado"] .recharts-bar-rectangle').first().waitFor({ state: 'attached' });
    await shots('12-replay-verdict');
  });

  it('scaling: the headline ranks a list at 2^20 − 1 PASIDs worst; drops and drain load share the x axis', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server.url}/traces/1/scaling`);
    await page.locator('[data-testid="run-sweep"]').click();
    const ranking = page.locator('[data-testid="scaling-ranking"] tbody tr');
    await ranking.first().waitFor({ timeout: 240_000 });
    const keys = await ranking.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    assert.equal(keys[0], 'domain-wide / list (hypothetical)', `ranking: ${keys.join(' > ')}`);
    const p99s = await ranking.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-device-p99'))));
    for (let i = 1; i < p99s.length; i++) assert.ok(p99s[i - 1]! >= p99s[i]!, `worst first: ${p99s.join(', ')}`);
    assert.ok(p99s[0]! > 10 * p99s.at(-1)!, `the list's devices wait far longer: ${p99s.join(', ')}`);
    // Each chart hydrates on its own: counting one's lines before it has drawn any found 0 (seen once).
    const lines = async (id: string) => {
      const curves = page.locator(`[data-testid="${id}"] path.recharts-line-curve`);
      await curves.first().waitFor({ state: 'attached' });
      return curves.count();
    };
    assert.equal(await lines('chart-scaling-device_p99_ns'), 5);
    assert.ok((await page.locator('[data-testid="chart-scaling-device_p99_ns"] path.recharts-area-area').count()) >= 1, 'interval bands');
    assert.equal(await lines('chart-scaling-drops'), 5);
    assert.equal(await lines('chart-scaling-drain_utilisation'), 5);
    assert.equal(await lines('chart-scaling-p99_ns'), 5, 'latency from report stays, as a secondary chart');
    assert.equal(await page.locator('[data-testid="chart-scaling-device_p99_ns"] .recharts-reference-line').count(), 1, 'the trace marked');
    assert.match((await page.locator('[data-testid="chart-scaling-device_p99_ns"]').textContent()) ?? '', /hypothetical/);
    await shots('13-scaling');
    assert.deepEqual(pageErrors, []);
  });

  // The two device axes on the same sample. Where the trace sits, from its recording
  // (tests/cli/sweep-axes.test.ts works both out by hand): 156 µs of groups in flight over
  // 219 µs and 3 devices = 0.24 per device; (2 + 2 + 1) / 3 = 1.67 devices per PASID.
  for (const [axis, traceLabel, button] of [
    ['outstanding', 'this trace: 0.24', 'Run the groups in flight per device sweep'],
    ['sharing', 'this trace: 1.67', 'Run the devices sharing one PASID sweep'],
  ] as const) {
    it(`scaling by ${axis}: device waits p99/p50 with bands, drops and drain load, the trace marked`, async () => {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.goto(`${server.url}/traces/1/scaling`);
      await page.locator('[data-testid="scaling-axes"] a', { hasText: axis === 'outstanding' ? 'groups in flight per device' : 'devices per PASID' }).click();
      await page.waitForURL(`**/traces/1/scaling?axis=${axis}`);
      const run = page.locator('[data-testid="run-sweep"]');
      assert.equal((await run.textContent())?.trim(), button);
      await run.click();
      const table = page.locator(`[data-testid="axis-points-${axis}"] tbody tr`);
      await table.first().waitFor({ timeout: 240_000 });
      for (const metric of ['device_p99_ns', 'device_p50_ns', 'drops', 'drain_utilisation']) {
        const chart = page.locator(`[data-testid="chart-axis-${axis}-${metric}"]`);
        await chart.locator('path.recharts-line-curve').first().waitFor({ state: 'attached' });
        assert.equal(await chart.locator('path.recharts-line-curve').count(), 5, `${metric}: a line per model × structure`);
        assert.equal(await chart.locator('.recharts-reference-line').count(), 1, `${metric}: the trace marked`);
        assert.match((await chart.textContent()) ?? '', new RegExp(traceLabel.replace('.', '\\.')), metric);
      }
      assert.ok((await page.locator(`[data-testid="chart-axis-${axis}-device_p99_ns"] path.recharts-area-area`).count()) >= 1, 'interval bands');
      const xs = await table.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-x'))));
      if (axis === 'outstanding') {
        // Rows run from the most devices (16 per recorded) to the fewest (1 per 2 recorded): more in flight on each.
        for (let i = 1; i < xs.length; i++) assert.ok(xs[i]! > xs[i - 1]!, `in flight per device rises: ${xs.join(', ')}`);
      } else {
        assert.deepEqual(xs, [2, 4, 8, 16, 32, 64, 128]);
      }
      assert.match((await page.locator('[data-testid="axis-method"]').textContent()) ?? '', /only its device changes|dealt over m devices/);
      await shots(`14-scaling-${axis}`);
      assert.deepEqual(pageErrors, []);
    });
  }

  // Last, so the verdict card's "two latest runs" above stay the what-if pair.
  it('held-out calibration: the percentile card names the groups fitted and checked, as the API saved them', async () => {
    const res = await fetch(`${server.url}/api/traces/1/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'domain-wide', preset: 'v6.9', holdout: 0.5 }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const saved = (await res.json()) as { run_id: number; overrides: string[]; summary: { holdout_calibration: { fit_groups: number; check_groups: number } } };
    assert.deepEqual(saved.overrides, ['serviceDist=empirical']);
    const h = saved.summary.holdout_calibration;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server.url}/traces/1/replay?runs=${saved.run_id}`);
    const note = page.locator(`[data-testid="calibration-holdout"] [data-run-id="${saved.run_id}"]`);
    await note.waitFor();
    assert.equal(Number(await note.getAttribute('data-fit-groups')), h.fit_groups);
    assert.equal(Number(await note.getAttribute('data-check-groups')), h.check_groups);
    assert.match((await note.textContent()) ?? '', new RegExp(`estimated on the ${h.fit_groups} answered groups.*other ${h.check_groups} only`));
    assert.match((await page.locator('[data-testid="replay-percentiles"]').textContent()) ?? '', /held-out error p99 \(check part only\)/);
    await shots('15-replay-holdout');
    assert.deepEqual(pageErrors, []);
  });
});
