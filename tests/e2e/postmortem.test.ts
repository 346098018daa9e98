// The postmortem workflow in a browser against a production build: add an annotation and see
// it listed, drawn as a band on the time charts and in the report; copy a share link and open
// it in a fresh browser context to get the same view; compare two traces and two replay runs;
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
  /** Rows of fault_groups for trace a (every status, orphan responses included), via the SQL API. */
  let groupRows = 0;
  const pageErrors: string[] = [];

  async function upload(file: string): Promise<number> {
    const res = await fetch(`${server.url}/api/traces?filename=${encodeURIComponent(file)}`, { method: 'POST', body: fs.readFileSync(path.join(TRACES_DIR, file)) });
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
    const counted = await fetch(`${server.url}/api/sql`, { method: 'POST', body: JSON.stringify({ sql: `SELECT count(*) AS n FROM fault_groups WHERE trace_id = ${a}` }) });
    groupRows = Number(((await counted.json()) as { rows: number[][] }).rows[0]![0]);
    assert.ok(groupRows >= stats.groups.total && groupRows > 0, `fault_groups rows ${groupRows}`);
    for (const seed of [1, 2]) {
      const res = await fetch(`${server.url}/api/traces/${a}/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'per-device', seed }) });
      assert.equal(res.status, 201, await res.clone().text());
      runs.push(((await res.json()) as { run_id: number }).run_id);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  });

  const shot = (p: Page, name: string) => p.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

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
    const bad = await fetch(`${server.url}/api/traces/${a}/annotations`, { method: 'POST', body: JSON.stringify({ author: 'x', text: 'y', start_offset_ns: '10', end_offset_ns: '5' }) });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { field: string }).field, 'range');
    await shot(page, '20-annotations');
  });

  it('report: figures, percentiles, charts, the annotation and the replay runs', async () => {
    await page.goto(`${server.url}/traces/${a}/report`);
    await page.locator('[data-testid="report"]').waitFor();
    assert.equal(await page.locator('[data-testid="report-annotation"]').count(), 1);
    assert.match((await page.locator('[data-testid="report-annotation"]').textContent()) ?? '', /alice.*Spike here <b>not bold<\/b>/s);
    const p99 = (await page.locator('[data-testid="report-pct-p99"] td').nth(1).textContent())?.trim();
    assert.equal(p99, String(stats.latency_ns.p99));
    assert.equal(await page.locator('[data-testid="report-replay"] tbody tr').count(), 2);
    await page.locator('[data-testid="report-chart-latency-over-time"] .annotation-band').first().waitFor({ state: 'attached', timeout: 20_000 });
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
      latencyRow?.split('|').slice(2, 7).map((c) => c.trim()),
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
    assert.ok((await page.locator('[data-testid="compare-histogram"] .recharts-bar-rectangle').count()) >= 2);
    assert.ok((await page.locator('[data-testid="compare-devices"] tbody tr').count()) >= 1);
    await shot(page, '23-compare-traces');

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
    await shot(page, '24-compare-runs');
  });

  it('share link of a trace page: the latency filter survives', async () => {
    await page.goto(`${server.url}/traces/${a}/latency?device=0000%3A00%3A0a.0`);
    await page.locator('[data-testid="copy-link"]').click();
    const link = await page.locator('[data-testid="copy-link-status"]').getAttribute('data-url');
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(link!);
    await other.locator('[data-testid="latency-figures"][data-answered="5"]').waitFor();
    await fresh.close();
  });

  it('SQL console: each refused class is refused with its message; a SELECT runs and charts', async () => {
    const refused: [string, RegExp][] = [
      ["DELETE FROM traces", /refused/],
      ["INSERT INTO annotations SELECT * FROM annotations", /refused/],
      ["COPY traces TO '/tmp/x.csv'", /refused/],
      ["ATTACH '/tmp/other.duckdb' AS o", /refused/],
      ["SELECT * FROM read_csv('/etc/passwd')", /refused \(file-access\)/],
      ["INSTALL httpfs", /refused/],
      ["SET enable_external_access = true", /refused/],
    ];
    await page.goto(`${server.url}/sql`);
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
    assert.equal(all.reduce((s, v) => s + Number(v), 0), groupRows);
    // The link reruns the query on open.
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(page.url());
    await other.locator('[data-testid="sql-result"] tbody tr').first().waitFor();
    assert.equal(await other.locator('[data-testid="sql-result"] tbody tr').count(), n);
    await fresh.close();
    await shot(page, '26-sql');
    assert.deepEqual(pageErrors, []);
  });
});
