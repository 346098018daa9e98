// The postmortem workflow in a browser against a production build: add an annotation and see
// it listed, drawn as a band on the time charts and in the report; add one by dragging across
// a time chart (the brush) and zoom to a dragged range; save a named view and open it from the
// overview's list in a fresh browser context; copy a share link and open it in a fresh browser
// context to get the same view; compare two traces (shared histogram, device/PASID deltas
// checked against SQL) and two replay runs;
// download every export from the report page and check its content; and the SQL console
// refusing each class of unsafe statement while running a normal SELECT. Screenshots go to
// tests/e2e/screenshots/ (git-ignored).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TRACES_DIR } from '../helpers/temp-db.ts';
import { SCREENSHOTS, assertPrerequisites, launchBrowser, startServer, type Server } from './server.ts';

const TRACE_A = 'intel-v6.9-trace.txt';
const TRACE_B = 'intel-v5.14-trace.txt';

interface Stats {
  trace_id: number;
  latency_ns: Record<'p50' | 'p90' | 'p99' | 'p999' | 'max', number | null>;
  groups: { total: number; answered: number };
}

describe('postmortem workflow in a browser', { timeout: 300_000 }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let a = 0;
  let b = 0;
  let stats: Stats;
  const runs: number[] = [];
  const runAnswered: number[] = [];
  let statsB: Stats;
  /** The range annotated by dragging, ns since trace start. */
  let brushed: { start: number; end: number } | null = null;
  /** Rows of fault_groups for trace a (every status, orphan responses included), via the SQL API. */
  let groupRows = 0;
  const pageErrors: string[] = [];

  async function upload(file: string): Promise<number> {
    const res = await fetch(`${server.url}/api/traces?filename=${encodeURIComponent(file)}`, {
      method: 'POST',
      body: fs.readFileSync(path.join(TRACES_DIR, file)),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { trace_id: number }).trace_id;
  }

  before(async () => {
    assertPrerequisites();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    a = await upload(TRACE_A);
    b = await upload(TRACE_B);
    stats = (await (await fetch(`${server.url}/api/traces/${a}/stats`)).json()) as Stats;
    statsB = (await (await fetch(`${server.url}/api/traces/${b}/stats`)).json()) as Stats;
    const counted = await fetch(`${server.url}/api/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: `SELECT count(*) AS n FROM fault_groups WHERE trace_id = ${a}` }),
    });
    groupRows = Number(((await counted.json()) as { rows: number[][] }).rows[0]![0]);
    assert.ok(groupRows >= stats.groups.total && groupRows > 0, `fault_groups rows ${groupRows}`);
    for (const seed of [1, 2]) {
      const res = await fetch(`${server.url}/api/traces/${a}/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'per-device', seed }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      const run = (await res.json()) as { run_id: number; summary: { answered: number } };
      runs.push(run.run_id);
      runAnswered.push(run.summary.answered);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  });

  const shot = (p: Page, name: string) => p.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  /** A screenshot at 1024 and at 1440 px wide; at each the page must fit its width (no sideways scrolling). */
  async function shotsAtWidths(p: Page, name: string): Promise<void> {
    for (const width of [1024, 1440]) {
      await p.setViewportSize({ width, height: 900 });
      // Charts re-measure after a resize, so the check waits for the layout to settle.
      await p.waitForFunction((w) => document.documentElement.scrollWidth <= w, width, { timeout: 5000 });
      await shot(p, `${name}-${width}`);
    }
    await p.setViewportSize({ width: 1280, height: 900 });
  }

  /** Rows of a read-only query through the SQL console API (an independent route to the figures). */
  async function sql(query: string): Promise<unknown[][]> {
    const res = await fetch(`${server.url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: query }) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { rows: unknown[][] }).rows;
  }

  /** Presses the mouse at fraction `from` of a time chart's plot width and releases it at `to`. */
  async function dragAcross(p: Page, testId: string, from: number, to: number): Promise<void> {
    const chart = p.locator(`[data-testid="${testId}"]`);
    const grid = chart.locator('.recharts-cartesian-grid');
    await grid.waitFor({ state: 'attached', timeout: 20_000 });
    await chart.scrollIntoViewIfNeeded();
    const box = (await grid.boundingBox())!;
    const y = box.y + box.height / 2;
    await p.mouse.move(box.x + box.width * from, y);
    await p.mouse.down();
    await p.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 4 });
    await p.mouse.move(box.x + box.width * to, y, { steps: 4 });
    await p.mouse.up();
  }

  async function download(p: Page, testId: string): Promise<Buffer> {
    const [dl] = await Promise.all([p.waitForEvent('download', { timeout: 30_000 }), p.locator(`[data-testid="${testId}"]`).click()]);
    const file = await dl.path();
    assert.ok(file, `download of ${testId} saved`);
    return fs.readFileSync(file);
  }

  it('annotations: add one through the form, listed, drawn as a band, text kept as text; edit and delete', async () => {
    await page.goto(`${server.url}/traces/${a}/annotations`);
    await page.locator('#new-author').fill('alice');
    await page.locator('#new-start').fill('0');
    await page.locator('#new-end').fill('50');
    await page.locator('#new-text').fill('Spike here <b>not bold</b> & "quoted"');
    await page.locator('[data-testid="annotation-save-new"]').click();
    const item = page.locator('[data-testid="annotation-item"]');
    await item.first().waitFor({ timeout: 20_000 });
    assert.equal(await item.count(), 1);
    assert.match((await item.first().textContent()) ?? '', /Spike here <b>not bold<\/b> & "quoted"/);
    assert.equal(await page.locator('[data-testid="annotation-list"] b', { hasText: 'not bold' }).count(), 0, 'no markup injected');
    await page.locator('[data-testid="chart-latency-over-time"] .annotation-band').first().waitFor({ state: 'attached', timeout: 20_000 });
    await page.locator('[data-testid="chart-events-over-time"] .annotation-band').first().waitFor({ state: 'attached' });

    // A second note, edited then deleted.
    await page.locator('#new-author').fill('bob');
    await page.locator('#new-text').fill('temporary');
    await page.locator('[data-testid="annotation-save-new"]').click();
    await page.locator('[data-testid="annotation-item"]', { hasText: 'temporary' }).waitFor();
    const id = await page.locator('[data-testid="annotation-item"]', { hasText: 'temporary' }).getAttribute('data-annotation-id');
    await page.locator(`[data-testid="annotation-edit-${id}"]`).click();
    await page.locator(`#edit-${id}-text`).fill('edited note');
    await page.locator(`[data-testid="annotation-save-edit-${id}"]`).click();
    await page.locator('[data-testid="annotation-item"]', { hasText: 'edited note' }).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.locator(`[data-testid="annotation-delete-${id}"]`).click();
    await page.locator('[data-testid="annotation-item"]', { hasText: 'edited note' }).waitFor({ state: 'detached' });
    assert.equal(await item.count(), 1);

    // The API refuses a bad range with the field named.
    const bad = await fetch(`${server.url}/api/traces/${a}/annotations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ author: 'x', text: 'y', start_offset_ns: '10', end_offset_ns: '5' }),
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { field: string }).field, 'range');
    await shot(page, '20-annotations');
  });

  it('brush: drag across the latency chart, annotate the range; the band shows on every time chart', async () => {
    await page.goto(`${server.url}/traces/${a}/latency`);
    const chart = '[data-testid="chart-latency-over-time"]';
    await page.locator(`${chart} .annotation-band`).first().waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await page.locator(`${chart} .annotation-band`).count(), 1, "alice's band only");
    await dragAcross(page, 'chart-latency-over-time', 0.55, 0.85);
    const actions = page.locator('[data-testid="brush-actions"]');
    await actions.waitFor();
    assert.equal(await page.locator(`${chart} .brush-selection`).count(), 1, 'the selection is shaded');
    const start = Number(await actions.getAttribute('data-start-ns'));
    const end = Number(await actions.getAttribute('data-end-ns'));
    assert.ok(start > 0 && end > start && end <= stats.latency_ns.max! + 1e9, `range ${start}–${end}`);
    await shotsAtWidths(page, '27-brush-selection');

    await page.locator('[data-testid="brush-annotate"]').click();
    assert.equal(await page.locator('#brush-start').inputValue(), String(start / 1000), 'form prefilled with the range (µs)');
    assert.equal(await page.locator('#brush-end').inputValue(), String(end / 1000));
    await page.locator('#brush-author').fill('carol');
    await page.locator('#brush-text').fill('Brushed: p99 climbs here');
    await shot(page, '28-brush-annotate-form');
    await page.locator('[data-testid="annotation-save-brush"]').click();
    await page.locator('[data-testid="brush-actions"]').waitFor({ state: 'detached' });
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, `${chart} .annotation-band`, { timeout: 20_000 });

    const notes = (await (await fetch(`${server.url}/api/traces/${a}/annotations`)).json()) as {
      author: string;
      text: string;
      start_offset_ns: number;
      end_offset_ns: number;
    }[];
    const carol = notes.find((n) => n.author === 'carol');
    assert.deepEqual([carol?.start_offset_ns, carol?.end_offset_ns, carol?.text], [start, end, 'Brushed: p99 climbs here'], 'stored with the dragged range');
    brushed = { start, end };

    await page.goto(`${server.url}/traces/${a}`);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, '[data-testid="chart-events-over-time"] .annotation-band', {
      timeout: 20_000,
    });
    await page.goto(`${server.url}/traces/${a}/annotations`);
    await page.locator('[data-testid="annotation-item"]', { hasText: 'Brushed: p99 climbs here' }).waitFor();
    await shot(page, '29-annotations-with-brushed');
  });

  it('brush: zoom to a dragged range puts it in the URL; every latency figure narrows to it', async () => {
    await page.goto(`${server.url}/traces/${a}/latency`);
    // The axis spans the whole trace (0 – 399 µs); the groups complete at 100 – 350 µs, so the
    // last ~45 % of the axis holds some of them but not all.
    await dragAcross(page, 'chart-latency-over-time', 0.55, 0.95);
    const actions = page.locator('[data-testid="brush-actions"]');
    await actions.waitFor();
    const from = await actions.getAttribute('data-start-ns');
    const to = await actions.getAttribute('data-end-ns');
    await page.locator('[data-testid="brush-zoom"]').click();
    await page.waitForURL(new RegExp(`/traces/${a}/latency\\?from=${from}&to=${to}$`));
    const [[n, p99]] = (await sql(
      `SELECT count(*), quantile_disc(g.latency_ns, 0.99) FROM fault_groups g JOIN traces t ON t.trace_id = g.trace_id
       WHERE g.trace_id = ${a} AND g.status = 'answered' AND g.last_ts_ns >= t.first_ts_ns + ${from} AND g.last_ts_ns < t.first_ts_ns + ${to}`,
    )) as [[number, number]];
    assert.ok(Number(n) > 0 && Number(n) < stats.groups.answered, `the zoom holds some groups (${n})`);
    await page.locator(`[data-testid="latency-figures"][data-answered="${Number(n)}"]`).waitFor({ timeout: 20_000 });
    assert.equal(Number(await page.locator('[data-testid="latency-p99"]').getAttribute('data-ns')), Number(p99));
    await page.locator('[data-testid="chart-latency-over-time"] path.recharts-line-curve').first().waitFor({ state: 'attached' });
    await shotsAtWidths(page, '30-latency-zoomed');
    await page.locator('[data-testid="zoom-reset"]').click();
    await page.waitForURL(`${server.url}/traces/${a}/latency`);
    await page.locator(`[data-testid="latency-figures"][data-answered="${stats.groups.answered}"]`).waitFor({ timeout: 20_000 });
  });

  it('brush on the overview timeline: zoom to a dragged range; the event counts are those of the window', async () => {
    await page.goto(`${server.url}/traces/${a}`);
    await dragAcross(page, 'chart-events-over-time', 0.4, 0.8);
    const actions = page.locator('[data-testid="brush-actions"]');
    await actions.waitFor();
    const from = await actions.getAttribute('data-start-ns');
    const to = await actions.getAttribute('data-end-ns');
    await page.locator('[data-testid="brush-zoom"]').click();
    await page.waitForURL(`${server.url}/traces/${a}?from=${from}&to=${to}`);
    const chart = page.locator('[data-testid="chart-events-over-time"]');
    await chart.locator('path.recharts-area-area').first().waitFor({ state: 'attached', timeout: 20_000 });
    const [[n]] = (await sql(
      `SELECT count(*) FROM events e JOIN traces t ON t.trace_id = e.trace_id
       WHERE e.trace_id = ${a} AND e.ts_ns >= t.first_ts_ns + ${from} AND e.ts_ns < t.first_ts_ns + ${to}`,
    )) as [[number]];
    assert.equal(Number(await chart.getAttribute('data-events')), Number(n), 'events charted = events in the window');
    await page.locator('[data-testid="zoom-reset"]').click();
    await page.waitForURL(`${server.url}/traces/${a}`);
  });

  it('saved views: save the zoomed, filtered view by name; open it from the overview list in a fresh page', async () => {
    assert.ok(brushed, 'brush test ran');
    const view = `/traces/${a}/latency?device=0000%3A00%3A0a.0&from=0&to=${brushed.end}`;
    await page.goto(`${server.url}${view}`);
    // The figures stream in after the card's heading: read them once they are there, as below.
    await page.locator('[data-testid="latency-figures"]').waitFor();
    const figures = await page.locator('[data-testid="card-figures"]').textContent();
    await page.locator('[data-testid="save-view"]').click();
    await page.locator('#save-view-name').fill('Spike on 0a.0 <i>zoomed</i>');
    await page.locator('[data-testid="save-view-submit"]').click();
    await page.locator('[data-testid="save-view-status"]', { hasText: 'Saved as' }).waitFor();
    // A second view, deleted from the list below.
    await page.goto(`${server.url}/traces/${a}/latency?code=success`);
    await page.locator('[data-testid="save-view"]').click();
    await page.locator('#save-view-name').fill('to delete');
    await page.locator('[data-testid="save-view-submit"]').click();
    await page.locator('[data-testid="save-view-status"]', { hasText: 'Saved as' }).waitFor();
    // The same name again is refused with the reason.
    await page.locator('[data-testid="save-view"]').click();
    await page.locator('#save-view-name').fill('to delete');
    await page.locator('[data-testid="save-view-submit"]').click();
    await page.locator('[data-testid="save-view-status"]', { hasText: 'already exists' }).waitFor();

    await page.goto(`${server.url}/traces/${a}`);
    const list = page.locator('[data-testid="saved-view"]');
    await list.first().waitFor();
    assert.equal(await list.count(), 2);
    const doomed = page.locator('[data-testid="saved-view"]', { hasText: 'to delete' });
    const doomedId = await doomed.getAttribute('data-view-id');
    page.once('dialog', (d) => void d.accept());
    await page.locator(`[data-testid="saved-view-delete-${doomedId}"]`).click();
    await doomed.waitFor({ state: 'detached' });
    assert.equal(await list.count(), 1);
    const item = list.first();
    assert.match((await item.textContent()) ?? '', /Spike on 0a\.0 <i>zoomed<\/i>/, 'name shown as text');
    assert.equal(await item.locator('i').count(), 0, 'no markup from the name');
    await shotsAtWidths(page, '31-overview-saved-views');

    const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await fresh.newPage();
    await other.goto(`${server.url}/traces/${a}`);
    await other.locator('[data-testid="saved-view"] a').first().click();
    await other.waitForURL(`${server.url}${view}`);
    await other.locator('[data-testid="latency-figures"]').waitFor();
    assert.equal(await other.locator('[data-testid="card-figures"]').textContent(), figures, 'same figures from the saved view');
    assert.equal(await other.locator('#f-device').inputValue(), '0000:00:0a.0', 'filter restored');
    await fresh.close();

    const offsite = await fetch(`${server.url}/api/views`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', url: 'https://evil.example/traces/1' }),
    });
    assert.equal(offsite.status, 400);
    assert.equal(((await offsite.json()) as { field: string }).field, 'url');
  });

  it('report: figures, percentiles, charts, the annotation and the replay runs', async () => {
    await page.goto(`${server.url}/traces/${a}/report`);
    await page.locator('[data-testid="report"]').waitFor();
    assert.equal(await page.locator('[data-testid="report-annotation"]').count(), 2);
    assert.match((await page.locator('[data-testid="report-annotation"]').first().textContent()) ?? '', /alice.*Spike here <b>not bold<\/b>/s);
    assert.match(
      (await page.locator('[data-testid="report-annotation"]').nth(1).textContent()) ?? '',
      /carol.*Brushed: p99 climbs here/s,
      'the brushed note in the report',
    );
    const p99 = (await page.locator('[data-testid="report-pct-p99"] td').nth(1).textContent())?.trim();
    assert.equal(p99, String(stats.latency_ns.p99));
    assert.equal(await page.locator('[data-testid="report-replay"] tbody tr').count(), 2);
    await page.locator('[data-testid="report-chart-latency-over-time"] .annotation-band').first().waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="report-chart-latency-over-time"] .annotation-band').count(), 2, 'both bands in the report chart');
    await page.locator('[data-testid="report-chart-cdf"] path.recharts-line-curve').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('[data-testid="report-chart-cdf"] path.recharts-line-curve').count(), 3, 'recorded + 2 runs');
    await shot(page, '21-report');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('[data-testid="report-downloads"]').isVisible(), false, 'downloads hidden in print');
    await shot(page, '22-report-print');
    await page.emulateMedia({ media: 'screen' });
  });

  it('report downloads: Markdown, HTML, CSVs, Chrome JSON, PNG', async () => {
    await page.goto(`${server.url}/traces/${a}/report`);
    const md = (await download(page, 'download-md')).toString('utf8');
    assert.match(md, /## Latency percentiles/);
    assert.match(md, /\| measure \| p50 \(ns\) \| p90 \(ns\) \| p99 \(ns\) \|/, 'percentile table header');
    const latencyRow = md.split('\n').find((l) => l.startsWith('| latency'));
    assert.deepEqual(
      latencyRow
        ?.split('|')
        .slice(2, 7)
        .map((c) => c.trim()),
      (['p50', 'p90', 'p99', 'p999', 'max'] as const).map((k) => String(stats.latency_ns[k])),
      'percentile row equals pritrace stats',
    );
    assert.match(md, /Spike here/);

    const html = (await download(page, 'download-html')).toString('utf8');
    assert.match(html, /^<!DOCTYPE html>/i);
    assert.match(html, /&#60;b&#62;not bold&#60;\/b&#62;/, 'annotation escaped in HTML');
    assert.doesNotMatch(html, /<b>not bold/, 'no raw markup from the note');

    const csv = (await download(page, 'download-groups-csv')).toString('utf8');
    const rows = csv.split('\r\n').filter((l) => l !== '');
    assert.equal(rows.length - 1, groupRows, 'one CSV row per fault group');

    const chrome = JSON.parse((await download(page, 'download-chrome-json')).toString('utf8')) as { traceEvents: { ph: string }[] };
    assert.equal(chrome.traceEvents.filter((e) => e.ph === 'X').length, groupRows, 'one X slice per group');

    const hist = (await download(page, 'download-chart-histogram')).toString('utf8');
    assert.match(hist, /^lower_ns,upper_ns,groups\r\n/);
    const ann = (await download(page, 'download-chart-annotations')).toString('utf8');
    assert.match(ann, /Spike here/);

    for (const chart of ['report-chart-histogram', 'report-chart-cdf', 'report-chart-latency-over-time']) {
      const png = await download(page, `png-${chart}`);
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${chart} PNG signature`);
      assert.ok(png.length > 2000, `${chart} PNG has content (${png.length} bytes)`);
      // A 28 px title band above the chart, at 2×: the PNG is taller than the chart by 56 px,
      // and the band has dark (text) pixels while the chart's own top row is background.
      const svgHeight = await page.evaluate((id) => {
        const svgs = [...document.querySelectorAll(`[data-testid="${id}"] svg.recharts-surface`)].map((e) => e.getBoundingClientRect());
        return svgs.sort((x, y) => y.width * y.height - x.width * x.height)[0]!.height;
      }, chart);
      assert.equal(png.readUInt32BE(20), Math.round((svgHeight + 28) * 2), `${chart}: PNG height`);
      const dark = await page.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const band = ctx.getImageData(0, 0, img.width, 56).data;
        let n = 0;
        for (let i = 0; i < band.length; i += 4) if (band[i]! < 100 && band[i + 1]! < 100 && band[i + 2]! < 100) n++;
        return n;
      }, png.toString('base64'));
      assert.ok(dark > 200, `${chart}: title text drawn in the band (${dark} dark pixels)`);
    }
    const runJson = await fetch(`${server.url}/api/traces/${a}/export?format=chrome-json&run=${runs[0]}`);
    assert.equal(runJson.status, 200);
    assert.ok(Array.isArray(((await runJson.json()) as { traceEvents: unknown[] }).traceEvents));
    assert.equal((await fetch(`${server.url}/api/traces/${b}/export?format=chrome-json&run=${runs[0]}`)).status, 404, 'run of another trace');
    assert.equal((await fetch(`${server.url}/api/traces/${a}/export?format=nope`)).status, 400);
  });

  it('compare two traces; a copied link opens the same view in a fresh browser context', async () => {
    await page.goto(`${server.url}/compare`);
    await page.locator('#c-a').selectOption(String(a));
    await page.locator('#c-b').selectOption(String(b));
    await page.locator('[data-testid="compare-traces-form"] button[type="submit"]').click();
    await page.waitForURL(new RegExp(`/compare\\?a=${a}&b=${b}$`));
    const table = page.locator('[data-testid="compare-percentiles"]');
    await table.waitFor();
    assert.equal(Number(await page.locator('[data-testid="compare-row-p99"]').getAttribute('data-a')), stats.latency_ns.p99);
    await page.locator('[data-testid="compare-cdf"] path.recharts-line-curve').first().waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="compare-cdf"] path.recharts-line-curve').count(), 2);
    const hist = page.locator('[data-testid="compare-histogram"]');
    assert.equal(Number(await hist.getAttribute('data-total-a')), stats.groups.answered, 'histogram A counts every answered group of A');
    assert.equal(Number(await hist.getAttribute('data-total-b')), statsB.groups.answered, 'histogram B counts every answered group of B');
    await hist.locator('.recharts-bar-rectangle').first().waitFor({ state: 'attached' });
    assert.ok((await hist.locator('.recharts-bar-rectangle').count()) >= 2);
    // Device rows against SQL over fault_groups: completed groups and nearest-rank p99 per device.
    const expected = new Map<string, { groups: number; p99: number | null }>();
    for (const [side, id] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const rows = await sql(
        `SELECT device, count(*), quantile_disc(latency_ns, 0.99) FILTER (status = 'answered') FROM fault_groups
         WHERE trace_id = ${id} AND status IN ('answered', 'unanswered') GROUP BY device`,
      );
      for (const [device, n, p99] of rows) expected.set(`${side} ${device}`, { groups: Number(n), p99: p99 === null ? null : Number(p99) });
    }
    const deviceRows = page.locator('[data-testid="compare-devices"] tbody tr');
    assert.ok((await deviceRows.count()) >= 1);
    for (const row of await deviceRows.all()) {
      const key = (await row.getAttribute('data-key'))!;
      for (const side of ['a', 'b'] as const) {
        const e = expected.get(`${side} ${key}`);
        assert.equal(Number(await row.getAttribute(`data-groups-${side}`)), e?.groups ?? 0, `${side} ${key} groups`);
        const p99 = await row.getAttribute(`data-p99-${side}`);
        assert.equal(p99 === '' ? null : Number(p99), e?.p99 ?? null, `${side} ${key} p99`);
      }
    }
    assert.ok((await page.locator('[data-testid="compare-pasids"] tbody tr').count()) >= 1);
    await shotsAtWidths(page, '23-compare-traces');

    await page.locator('[data-testid="copy-link"]').click();
    const status = page.locator('[data-testid="copy-link-status"]');
    await status.filter({ hasText: 'copied' }).waitFor();
    const link = await status.getAttribute('data-url');
    assert.equal(link, page.url());
    const text = await table.textContent();
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await fresh.newPage();
    await other.goto(link!);
    assert.equal(await other.locator('[data-testid="compare-percentiles"]').textContent(), text, 'same view from the link');
    assert.equal(await other.locator('#c-a').inputValue(), String(a));
    await fresh.close();
  });

  it('compare two replay runs', async () => {
    await page.goto(`${server.url}/compare?runA=${runs[0]}&runB=${runs[1]}`);
    await page.locator('[data-testid="compare-percentiles"]').waitFor();
    await page.locator('[data-testid="compare-cdf"] path.recharts-line-curve').first().waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="compare-cdf"] path.recharts-line-curve').count(), 2);
    const hist = page.locator('[data-testid="compare-histogram"]');
    assert.equal(Number(await hist.getAttribute('data-total-a')), runAnswered[0]);
    assert.equal(Number(await hist.getAttribute('data-total-b')), runAnswered[1]);
    const [[device, p99]] = (await sql(
      `SELECT device, quantile_disc(latency_ns, 0.99) FROM replay_results WHERE run_id = ${runs[0]} AND latency_ns IS NOT NULL GROUP BY device ORDER BY device LIMIT 1`,
    )) as [[string, number]];
    assert.equal(Number(await page.locator(`[data-testid="compare-devices"] tbody tr[data-key="${device}"]`).getAttribute('data-p99-a')), Number(p99));
    await shotsAtWidths(page, '24-compare-runs');
  });

  it('share link of a trace page: the latency filter survives', async () => {
    await page.goto(`${server.url}/traces/${a}/latency?device=0000%3A00%3A0a.0`);
    await page.locator('[data-testid="copy-link"]').click();
    // The button sets the URL once its clipboard write settles; reading earlier raced it.
    const link = await page.locator('[data-testid="copy-link-status"][data-url^="http"]').getAttribute('data-url');
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(link!);
    await other.locator('[data-testid="latency-figures"][data-answered="5"]').waitFor();
    await fresh.close();
  });

  it('SQL console: each refused class is refused with its message; a SELECT runs and charts', async () => {
    const refused: [string, RegExp][] = [
      ['DELETE FROM traces', /refused/],
      ['INSERT INTO annotations SELECT * FROM annotations', /refused/],
      ["COPY traces TO '/tmp/x.csv'", /refused/],
      ["ATTACH '/tmp/other.duckdb' AS o", /refused/],
      ["SELECT * FROM read_csv('/etc/passwd')", /refused \(file-access\)/],
      ['INSTALL httpfs', /refused/],
      ['SET enable_external_access = true', /refused/],
    ];
    await page.goto(`${server.url}/sql`);
    // Behind the statement checks, the server's DuckDB itself is confined (instrumentation.ts).
    assert.match(
      (await page.locator('[data-testid="sql-guards"]').textContent()) ?? '',
      /file access: confined to \d+ ingest and spill directories · configuration locked/,
    );
    for (const [sql, message] of refused) {
      await page.locator('[data-testid="sql-text"]').fill(sql);
      await page.locator('[data-testid="sql-run"]').click();
      const err = page.locator('[data-testid="sql-error"]');
      await err.waitFor();
      assert.match((await err.textContent()) ?? '', message, sql);
      assert.equal(await err.getAttribute('data-status'), '403', sql);
    }
    await shot(page, '25-sql-refused');
    const sql = `SELECT pages, count(*) AS n FROM fault_groups WHERE trace_id = ${a} GROUP BY pages ORDER BY pages`;
    await page.locator('[data-testid="sql-text"]').fill(sql);
    await page.locator('[data-testid="sql-run"]').click();
    await page.locator('[data-testid="sql-result"]').waitFor();
    const n = await page.locator('[data-testid="sql-result"] tbody tr').count();
    assert.ok(n >= 1);
    assert.match(page.url(), /\/sql\?q=SELECT/, 'query in the URL');
    const all = await page.locator('[data-testid="sql-result"] tbody tr td:nth-child(2)').allTextContents();
    assert.equal(
      all.reduce((s, v) => s + Number(v), 0),
      groupRows,
    );
    // The link brings the query back but does not run it until Run is pressed: a link alone
    // (from any site) must not make the server execute a statement.
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    const consoleCalls: string[] = [];
    other.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/sql') consoleCalls.push(r.method());
    });
    await other.goto(page.url());
    await other.locator('[data-testid="sql-linked"]').waitFor();
    await other.waitForLoadState('networkidle');
    assert.equal(await other.locator('[data-testid="sql-text"]').inputValue(), sql);
    assert.equal(await other.locator('[data-testid="sql-result"]').count(), 0, 'no result before Run');
    assert.deepEqual(consoleCalls, [], 'no console request on open');
    await other.locator('[data-testid="sql-run"]').click();
    await other.locator('[data-testid="sql-result"] tbody tr').first().waitFor();
    assert.deepEqual(consoleCalls, ['POST']);
    assert.equal(await other.locator('[data-testid="sql-result"] tbody tr').count(), n);
    await fresh.close();
    await shot(page, '26-sql');
    assert.deepEqual(pageErrors, []);
  });
});
