// Wheel zoom, drag pan and the zoom buttons on the time charts, and one colour per replay run,
// in Chromium against a production build. The expected windows are worked out from the chart's
// own geometry (the plot's pixel box and the window it shows) with the arithmetic written out
// here, not imported; the URL's ?from=&to= must equal them, and the server must then chart
// the window's own aggregates (events counted by SQL). Run colours are checked on the replay
// page, the report page, Compare and the HTML export against the palette entry picked by hand.
// Screenshots (light and dark) go to tests/e2e/screenshots/ (git-ignored).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { TRACES_DIR } from '../helpers/temp-db.ts';
import { SCREENSHOTS, assertPrerequisites, launchBrowser, sqlRows, startServer, type Server } from './server.ts';

const SAMPLE = 'intel-v6.9-trace.txt';
/** The sample's last − first timestamp is 399 000 ns: the trace is [0, 399 001). */
const EXTENT = 399_001;

describe('time chart zoom and pan, run colours', { timeout: 300_000 }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let traceId = 0;
  const pageErrors: string[] = [];

  before(async () => {
    assertPrerequisites();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const res = await fetch(`${server.url}/api/traces?filename=${SAMPLE}`, { method: 'POST', body: fs.readFileSync(path.join(TRACES_DIR, SAMPLE)) });
    assert.equal(res.status, 201, await res.clone().text());
    traceId = ((await res.json()) as { trace_id: number }).trace_id;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  });

  /** Light and dark screenshots of the page's current URL. */
  async function shots(name: string, locator?: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
      const p = await ctx.newPage();
      await p.goto(page.url());
      if (locator) await p.locator(locator).first().waitFor({ state: 'attached', timeout: 20_000 });
      await p.screenshot({ path: path.join(SCREENSHOTS, `zoom-${name}-${scheme}.png`), fullPage: true });
      await ctx.close();
    }
  }

  /** The chart's plot box (the grid's extent, page pixels) and the window [lo, hi) it shows. */
  async function geometry(chart: Locator): Promise<{ box: { x: number; y: number; width: number; height: number }; lo: number; hi: number }> {
    const grid = chart.locator('.recharts-cartesian-grid');
    await grid.waitFor({ state: 'attached', timeout: 20_000 });
    await chart.scrollIntoViewIfNeeded();
    const box = (await grid.boundingBox())!;
    const [lo, hi] = ((await chart.getAttribute('data-window')) ?? '').split(',').map(Number) as [number, number];
    assert.ok(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi, 'the chart tells its window');
    return { box, lo, hi };
  }

  function fromTo(url: string): { from: number; to: number } | null {
    const q = new URL(url).searchParams;
    return q.has('from') ? { from: Number(q.get('from')), to: Number(q.get('to')) } : null;
  }

  async function eventsIn(from: number, to: number): Promise<number> {
    const [[n]] = (await sqlRows(
      server,
      `SELECT count(*) FROM events e JOIN traces t ON t.trace_id = e.trace_id WHERE e.trace_id = ${traceId} AND e.ts_ns >= t.first_ts_ns + ${from} AND e.ts_ns < t.first_ts_ns + ${to}`,
    )) as [[number]];
    return Number(n);
  }

  it('wheel up over the overview timeline zooms in around the pointer; the URL carries the window and the server counts it', async () => {
    await page.goto(`${server.url}/traces/${traceId}`);
    const chart = page.locator('[data-testid="chart-events-over-time"]');
    await chart.locator('path.recharts-area-area').first().waitFor({ state: 'attached', timeout: 20_000 });
    const { box, lo, hi } = await geometry(chart);
    assert.deepEqual([lo, hi], [0, EXTENT], 'unzoomed, the axis is the whole trace');
    const x = Math.round(box.x + box.width * 0.25);
    await page.mouse.move(x, box.y + box.height / 2);
    await page.mouse.wheel(0, -250);
    await page.waitForURL(/from=\d+&to=\d+/, { timeout: 10_000 });
    // By hand: the pointer's time t = lo + share·(hi − lo) with share its place across the plot;
    // 250 px up scales the width by e^(−0.002·250) = e^(−0.5), and t keeps its share.
    const share = (x - box.x) / box.width;
    const t = lo + share * (hi - lo);
    const width = (hi - lo) * Math.exp(-0.5);
    const want = { from: Math.floor(t - share * width), to: Math.ceil(t - share * width + width) };
    const got = fromTo(page.url())!;
    // One pixel of pointer rounding is (hi − lo) / plot width ns.
    const slack = (hi - lo) / box.width + 1;
    assert.ok(
      Math.abs(got.from - want.from) <= slack && Math.abs(got.to - want.to) <= slack,
      `wheel window ${JSON.stringify(got)} ≈ ${JSON.stringify(want)} (±${slack.toFixed(0)} ns)`,
    );
    assert.ok(lo <= got.from && got.from < t && t < got.to && got.to <= hi, 'zoomed in: inside the old window, around the pointer');
    // The server charted the window: its events, counted by SQL.
    await page.locator(`[data-testid="chart-events-over-time"][data-window="${got.from},${got.to}"]`).waitFor({ timeout: 20_000 });
    assert.equal(Number(await chart.getAttribute('data-events')), await eventsIn(got.from, got.to));
    await shots('overview-wheel', '[data-testid="chart-events-over-time"] path.recharts-area-area');
  });

  it('a drag in pan mode moves the window later by the dragged share, width kept', async () => {
    const chart = page.locator('[data-testid="chart-events-over-time"]');
    const before = fromTo(page.url())!;
    await page.locator('[data-testid="drag-pan"]').click();
    assert.equal(await page.locator('[data-testid="drag-pan"]').getAttribute('aria-pressed'), 'true');
    const { box, lo, hi } = await geometry(chart);
    assert.deepEqual([lo, hi], [before.from, before.to]);
    const y = box.y + box.height / 2;
    const x0 = Math.round(box.x + box.width * 0.6);
    const x1 = Math.round(box.x + box.width * 0.4);
    await page.mouse.move(x0, y);
    await page.mouse.down();
    await page.mouse.move((x0 + x1) / 2, y, { steps: 4 });
    await page.mouse.move(x1, y, { steps: 4 });
    await page.mouse.up();
    await page.waitForURL((u) => fromTo(u.toString())?.from !== before.from, { timeout: 10_000 });
    const got = fromTo(page.url())!;
    // Dragging left by d px shows later time: the window moves by d / plot width of its width.
    const shift = ((x0 - x1) / box.width) * (hi - lo);
    // Within a pixel (the grid's box and recharts' plot box may differ by a fraction of one).
    const slack = (hi - lo) / box.width + 1;
    assert.ok(
      Math.abs(got.from - (lo + shift)) <= slack && Math.abs(got.to - (hi + shift)) <= slack,
      `pan ${JSON.stringify(got)} ≈ [${lo + shift}, ${hi + shift}) ±${slack.toFixed(0)}`,
    );
    assert.ok(Math.abs(got.to - got.from - (hi - lo)) <= 1, 'width kept (±1 ns of rounding)');
    assert.ok(got.to <= EXTENT);
    await page.locator(`[data-testid="chart-events-over-time"][data-window="${got.from},${got.to}"]`).waitFor({ timeout: 20_000 });
    assert.equal(Number(await chart.getAttribute('data-events')), await eventsIn(got.from, got.to));
  });

  it('the buttons work from the keyboard: whole trace, then zoom in to the middle half', async () => {
    await page.locator('[data-testid="chart-zoom-reset"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/traces/${traceId}`);
    await page.locator(`[data-testid="chart-events-over-time"][data-window="0,${EXTENT}"]`).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="zoom-out"]').isDisabled(), true, 'nothing to zoom out of');
    // Wheel down over the whole trace has nothing to zoom out to: the page scrolls instead.
    const { box } = await geometry(page.locator('[data-testid="chart-events-over-time"]'));
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const scrolled = await page.evaluate(() => window.scrollY);
    await page.mouse.wheel(0, 200);
    await page.waitForFunction((y) => window.scrollY > y, scrolled, { timeout: 5_000 });
    assert.equal(page.url(), `${server.url}/traces/${traceId}`);
    await page.locator('[data-testid="zoom-in"]').focus();
    await page.keyboard.press('Enter');
    // Halved around the middle: [399 001/4, 3·399 001/4) = [99 750.25, 299 250.75) → whole ns outward.
    await page.waitForURL(`${server.url}/traces/${traceId}?from=99750&to=299251`);
  });

  it('wheel down over the latency chart zooms out to a window holding the old one', async () => {
    await page.goto(`${server.url}/traces/${traceId}/latency?from=150000&to=250000`);
    const chart = page.locator('[data-testid="chart-latency-over-time"]');
    const { box, lo, hi } = await geometry(chart);
    assert.deepEqual([lo, hi], [150_000, 250_000]);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 200);
    await page.waitForURL((u) => fromTo(u.toString())?.from !== 150_000, { timeout: 10_000 });
    const got = fromTo(page.url())!;
    // 200 px down: ×e^0.4 ≈ 1.49 around the middle (200 000) → about [125 409, 274 591).
    assert.ok(got.from < lo && got.to > hi, `zoomed out: ${JSON.stringify(got)} holds [${lo}, ${hi})`);
    assert.ok(Math.abs(got.to - got.from - 100_000 * Math.exp(0.4)) <= (hi - lo) / box.width + 2);
    await page.locator(`[data-testid="chart-latency-over-time"][data-window="${got.from},${got.to}"]`).waitFor({ timeout: 20_000 });
    await shots('latency-wheel', '[data-testid="chart-latency-over-time"] path.recharts-line-curve');
    // The annotations page draws both time charts, each with its controls, in the same window.
    await page.goto(`${server.url}/traces/${traceId}/annotations?from=${got.from}&to=${got.to}`);
    for (const c of ['chart-events-over-time', 'chart-latency-over-time'])
      await page.locator(`[data-testid="${c}"][data-window="${got.from},${got.to}"]`).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="zoom-controls"]').count(), 2);
    await shots('annotations', '[data-testid="chart-latency-over-time"] path.recharts-line-curve');
  });

  it('a run has one colour on the replay page, the report page and the HTML export', async () => {
    const runs: number[] = [];
    for (const model of ['domain-wide', 'per-device']) {
      const res = await fetch(`${server.url}/api/traces/${traceId}/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      runs.push(((await res.json()) as { run_id: number }).run_id);
    }
    assert.deepEqual(runs, [1, 2], 'a fresh database numbers runs from 1');
    // By hand from the palette (Okabe & Ito): run 1 blue #0072b2, run 2 orange #e69f00; recording grey.
    const colour: Record<number, string> = { 1: '#0072b2', 2: '#e69f00' };
    const curve = (testId: string, c: string) => page.locator(`[data-testid="${testId}"] path.recharts-line-curve[stroke="${c}"]`);

    // Run 2 alone on the replay page: it is the first curve there, and still orange.
    await page.goto(`${server.url}/traces/${traceId}/replay?runs=2`);
    await curve('chart-replay-cdf', colour[2]!).first().waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await curve('chart-replay-cdf', colour[1]!).count(), 0, 'run 1 is not drawn');
    assert.equal(await curve('chart-replay-cdf', '#6b7280').count(), 1, 'the recording');
    for (const id of runs) assert.equal(await page.locator(`tr[data-run-id="${id}"] [data-testid="run-swatch"]`).getAttribute('data-color'), colour[id]);
    await shots('replay-colours', '[data-testid="chart-replay-cdf"] path.recharts-line-curve');

    await page.goto(`${server.url}/traces/${traceId}/report`);
    for (const id of runs) {
      await curve('report-chart-cdf', colour[id]!).first().waitFor({ state: 'attached', timeout: 30_000 });
      assert.equal(await page.locator(`[data-testid="report-replay"] [data-testid="run-swatch"][data-run-id="${id}"]`).getAttribute('data-color'), colour[id]);
    }
    assert.equal(await curve('report-chart-cdf', '#6b7280').count(), 1, 'the recording');
    await shots('report-colours', '[data-testid="report-chart-cdf"] path.recharts-line-curve');

    // Compare, run 2 as A and run 1 as B: each side keeps its run's colour, curve and bars.
    await page.goto(`${server.url}/compare?runA=2&runB=1`);
    for (const id of runs) {
      await curve('compare-cdf', colour[id]!).first().waitFor({ state: 'attached', timeout: 30_000 });
      assert.ok((await page.locator(`[data-testid="compare-histogram"] path[fill="${colour[id]}"]`).count()) > 0, `compare histogram bars of run ${id}`);
    }
    await shots('compare-colours', '[data-testid="compare-cdf"] path.recharts-line-curve');

    const html = await (await fetch(`${server.url}/api/traces/${traceId}/export?format=html`)).text();
    for (const [id, model] of [
      [1, 'domain-wide'],
      [2, 'per-device'],
    ] as const) {
      assert.match(
        html,
        new RegExp(`stroke="${colour[id]}" stroke-width="1\\.6" stroke-dasharray="6 4" data-series="run ${id} ${model}"`),
        `HTML export, run ${id}`,
      );
    }
    assert.match(html, /stroke="#6b7280" stroke-width="1\.6" data-series="recorded"/);
    await page.setContent(html);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'zoom-html-export-colours.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
