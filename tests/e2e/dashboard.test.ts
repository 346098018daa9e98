// The dashboard in a real browser against a production build: upload a sample through the
// page, see it listed, open every page and check its charts drew real data, compare the
// latency page's percentiles with `pritrace stats --json` on the same database file, run a
// replay and a PASID sweep from the pages, and see a bad upload rejected with its location
// and nothing stored. Screenshots of each page go to tests/e2e/screenshots/ (git-ignored).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TRACES_DIR } from '../helpers/temp-db.ts';
import { ROOT, SCREENSHOTS, assertPrerequisites, launchBrowser, startServer, type Server } from './server.ts';

const run = promisify(execFile);
const SAMPLE = 'intel-v6.9-trace.txt';
const PERCENTILES = ['p50', 'p90', 'p99', 'p999', 'max'] as const;

interface Stats {
  trace_id: number;
  latency_ns: Record<(typeof PERCENTILES)[number] | 'mean', number | null>;
  groups: { answered: number };
}

describe('dashboard in a browser', { timeout: 240_000 }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let traceId = 0;
  const pageFigures: Record<string, number> = {};
  const pageErrors: string[] = [];

  before(async () => {
    assertPrerequisites();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  /** SVG marks inside a chart card; attached rather than visible, since a flat line has no height. */
  async function marks(testId: string, selector: string): Promise<number> {
    await page.locator(`[data-testid="${testId}"] ${selector}`).first().waitFor({ state: 'attached', timeout: 20_000 });
    return page.locator(`[data-testid="${testId}"] ${selector}`).count();
  }

  async function noHorizontalOverflow(): Promise<void> {
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner, `page is ${scroll}px wide in a ${inner}px window`);
  }

  it('shows the empty state before any trace is stored', async () => {
    await page.goto(server.url);
    await page.getByText('No traces yet.').waitFor();
    await page.locator('[data-testid="load-sample"]').waitFor();
    await shot('01-home-empty');
  });

  it('uploads a sample through the page and lists it', async () => {
    await page.locator('[data-testid="trace-file-input"]').setInputFiles(path.join(TRACES_DIR, SAMPLE));
    await page.locator('[data-testid="upload-item"][data-stage="done"]').waitFor({ timeout: 60_000 });
    const link = page.locator('[data-testid="traces-table"] a', { hasText: SAMPLE });
    await link.waitFor({ timeout: 20_000 });
    const href = await link.getAttribute('href');
    traceId = Number(/\/traces\/(\d+)$/.exec(href ?? '')?.[1]);
    assert.ok(traceId > 0, `trace link ${href}`);
    const progress = await page.locator('[data-testid="upload-item"] progress').evaluateAll((els) => els.map((e) => (e as HTMLProgressElement).value));
    assert.deepEqual(progress, [1, 1], 'upload and ingest bars both full');
    await shot('02-home-uploaded');
  });

  it('overview: events chart, devices, PASIDs and pairing health from the data', async () => {
    await page.goto(`${server.url}/traces/${traceId}`);
    assert.equal(await page.locator('[data-testid="trace-name"]').textContent(), SAMPLE);
    assert.ok((await marks('chart-events-over-time', 'path.recharts-area-area')) >= 2, 'stacked areas drawn');
    assert.equal(await page.locator('[data-testid="devices-table"] tbody tr').count(), 3);
    assert.equal(await page.locator('[data-testid="pasids-table"] tbody tr').count(), 3);
    const health = page.locator('[data-testid="pairing-health"]');
    await health.getByText('orphan responses', { exact: true }).waitFor();
    assert.match((await health.textContent()) ?? '', /Lost-event gaps/);
    assert.equal((await page.locator('[data-testid="figure-answered"] dd').textContent())?.trim(), '10');
    await noHorizontalOverflow();
    await shot('03-overview');
  });

  it('latency: figures equal the stats endpoint, charts drawn, filter in the URL', async () => {
    await page.goto(`${server.url}/traces/${traceId}/latency`);
    await page.locator('[data-testid="latency-figures"]').waitFor();
    for (const p of PERCENTILES) {
      pageFigures[p] = Number(await page.locator(`[data-testid="latency-${p}"]`).getAttribute('data-ns'));
    }
    const stats = (await (await fetch(`${server.url}/api/traces/${traceId}/stats`)).json()) as Stats;
    for (const p of PERCENTILES) assert.equal(pageFigures[p], stats.latency_ns[p], `latency ${p}`);
    assert.equal(Number(await page.locator('[data-testid="latency-figures"]').getAttribute('data-answered')), stats.groups.answered);

    assert.ok((await marks('chart-latency-histogram', '.recharts-bar-rectangle path')) >= 5, 'histogram bars');
    assert.equal(await marks('chart-latency-cdf', 'path.recharts-line-curve'), 1);
    assert.equal(await marks('chart-latency-over-time', 'path.recharts-line-curve'), 3, 'p50, p99 and max lines');
    await noHorizontalOverflow();
    await shot('04-latency');

    await page.locator('#f-device').fill('0000:00:0a.0');
    await page.locator('[data-testid="latency-filters"] button[type="submit"]').click();
    await page.waitForURL(/device=0000%3A00%3A0a\.0/);
    await page.locator('[data-testid="latency-figures"][data-answered="5"]').waitFor();
    assert.ok((await marks('chart-latency-histogram', '.recharts-bar-rectangle path')) >= 1);
    await shot('05-latency-filtered');
  });

  it('replay: run from the page, recorded and replayed CDFs, percentile table, saved run', async () => {
    await page.goto(`${server.url}/traces/${traceId}/replay`);
    await page.getByText('No saved runs yet').waitFor();
    await page.locator('#r-preset').selectOption('v5.17');
    await page.locator('[data-testid="replay-run"]').click();
    await page.waitForURL(/runs=\d+/, { timeout: 60_000 });
    await page.locator('[data-testid="replay-runs"] tbody tr').first().waitFor({ timeout: 20_000 });
    // Recorded, replayed, and the replayed run's seed range (two thin curves).
    assert.equal(await marks('chart-replay-cdf', 'path.recharts-line-curve'), 4, 'recorded, replayed and its seed range');
    const table = (await page.locator('[data-testid="replay-percentiles"]').textContent()) ?? '';
    assert.match(table, /per-device v5\.17/);
    assert.match(table, /calibration error p99/);
    assert.match(table, /[+-]\d+\.\d %/);

    // A second run with an edited parameter joins the comparison.
    await page.locator('#r-preset').selectOption('v6.9');
    await page.locator('details > summary').click();
    await page.locator('#p-workers').fill('2');
    await page.locator('[data-testid="replay-run"]').click();
    await page.waitForURL(/runs=\d+,\d+/, { timeout: 60_000 });
    assert.equal(await marks('chart-replay-cdf', 'path.recharts-line-curve'), 7);
    assert.equal(await page.locator('[data-testid="replay-runs"] tbody tr').count(), 2);
    assert.match((await page.locator('[data-testid="replay-runs"]').textContent()) ?? '', /workers=2/);
    await shot('06-replay');

    await page.locator('#p-workers').fill('zero');
    await page.locator('[data-testid="replay-run"]').click();
    await page.locator('[data-testid="replay-error"]').waitFor();
    assert.match((await page.locator('[data-testid="replay-error"]').textContent()) ?? '', /workers/);
  });

  it('scaling: run the sweep, one line per model × structure, the trace marked, sparse toggle', async () => {
    await page.goto(`${server.url}/traces/${traceId}/scaling`);
    await page.locator('[data-testid="run-sweep"]').click();
    const lines = await marks('chart-scaling-visits_mean', 'path.recharts-line-curve').catch(async () => {
      await page.locator('[data-testid="chart-scaling-visits_mean"]').waitFor({ state: 'attached', timeout: 120_000 });
      return marks('chart-scaling-visits_mean', 'path.recharts-line-curve');
    });
    assert.equal(lines, 5);
    assert.equal(await marks('chart-scaling-ns_mean', 'path.recharts-line-curve'), 5);
    assert.equal(await marks('chart-scaling-p99_ns', 'path.recharts-line-curve'), 5);
    assert.equal(await marks('chart-scaling-visits_mean', '.recharts-reference-line'), 1);
    await shot('07-scaling-dense');
    await page.getByRole('link', { name: 'sparse' }).click();
    await page.waitForURL(/alloc=sparse/);
    assert.equal(await marks('chart-scaling-visits_mean', 'path.recharts-line-curve'), 5);
    await shot('08-scaling-sparse');
  });

  it('a bad upload shows located errors and stores nothing', async () => {
    const lines = fs.readFileSync(path.join(TRACES_DIR, SAMPLE), 'utf8').split('\n');
    lines[24] = lines[24]!.replace(/rid=0x[0-9a-f]+/, 'rid=0xZZ');
    lines[26] = lines[26]!.replace(/addr=0x[0-9a-f]+/, 'addr=nope');
    const bad = path.join(server.dir, 'broken-trace.txt');
    fs.writeFileSync(bad, lines.join('\n'));
    const before = (await (await fetch(`${server.url}/api/traces`)).json()) as unknown[];

    await page.goto(server.url);
    await page.locator('[data-testid="trace-file-input"]').setInputFiles(bad);
    const error = page.locator('[data-testid="upload-error"]');
    await error.waitFor({ timeout: 60_000 });
    const text = (await error.textContent()) ?? '';
    assert.match(text, /broken-trace\.txt:25:\d+: malformed prq_report/);
    assert.match(text, /broken-trace\.txt:27:\d+:/);
    assert.match(text, /Nothing from this file was stored/);
    const afterList = (await (await fetch(`${server.url}/api/traces`)).json()) as unknown[];
    assert.equal(afterList.length, before.length);
    assert.deepEqual(fs.readdirSync(path.join(server.dir, 'uploads')), [], 'no temp upload left behind');
    await shot('09-bad-upload');
  });

  it('unknown traces get the not-found page', async () => {
    const res = await page.goto(`${server.url}/traces/999999`);
    assert.equal(res?.status(), 404);
    await page.getByText('There is no such page or trace').waitFor();
  });

  it('fits a laptop screen and can be used from the keyboard', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${server.url}/traces/${traceId}`);
    await page.locator('[data-testid="chart-events-over-time"] path.recharts-area-area').first().waitFor({ state: 'attached' });
    await noHorizontalOverflow();
    await shot('10-overview-1024');
    await page.goto(`${server.url}/traces/${traceId}/latency`);
    await page.locator('[data-testid="latency-figures"]').waitFor();
    await noHorizontalOverflow();

    // Tab from the top reaches the trace tabs as real links (past the skip link and the site nav).
    await page.goto(`${server.url}/traces/${traceId}`);
    const reached: string[] = [];
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.textContent?.trim() ?? ''));
    }
    assert.ok(reached.includes('Latency') && reached.includes('Scaling'), `tab order: ${reached.join(' | ')}`);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('the bundled sample loads from its endpoint', async () => {
    const res = await fetch(`${server.url}/api/samples`, { method: 'POST' });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { name: string; groups: { answered: number } };
    assert.equal(body.groups.answered, 10);
    const names = ((await (await fetch(`${server.url}/api/traces`)).json()) as { name: string }[]).map((t) => t.name);
    assert.ok(names.includes(body.name));
  });

  it('no uncaught errors in the pages', () => {
    assert.deepEqual(pageErrors, []);
  });

  it('percentiles on the page equal `pritrace stats --json` on the same database file', async () => {
    // DuckDB lets one process hold the file: stop the server, then ask the CLI.
    await server.stop();
    const { stdout } = await run(path.join(ROOT, 'bin', 'pritrace'), ['stats', String(traceId), '--json', '--db', server.dbPath], { cwd: ROOT });
    const stats = JSON.parse(stdout) as Stats;
    for (const p of PERCENTILES) assert.equal(pageFigures[p], stats.latency_ns[p], `latency ${p}`);
  });
});
