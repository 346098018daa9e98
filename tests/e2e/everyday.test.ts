// Everyday use in a browser against a production build: from the latency histogram's slowest
// bucket to its fault groups and to one group's trace lines, whose line numbers, events and
// timestamps are checked against the sample file's own text; the percentile cards and the
// overview's device rows lead to the same explorer; a mistyped link shows a notice instead of
// a silently different view; and a trace is renamed and deleted from the home page, with
// nothing of it left in any table (checked by SQL). Screenshots at 1024 and 1440 px go to
// tests/e2e/screenshots/ (git-ignored).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { simulate, writeSimCsv } from '../../lib/sim/index.ts';
import { TRACES_DIR } from '../helpers/temp-db.ts';
import { ROOT, SCREENSHOTS, assertPrerequisites, launchBrowser, startServer, type Server } from './server.ts';

const SAMPLE = 'intel-v6.9-trace.txt';
const WIDTHS = [1024, 1440] as const;

describe('everyday use in a browser', { timeout: 300_000 }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let traceId = 0;
  const pageErrors: string[] = [];
  const fileLines = fs.readFileSync(path.join(TRACES_DIR, SAMPLE), 'utf8').split('\n');

  async function upload(file: string, name?: string): Promise<number> {
    const q = `filename=${encodeURIComponent(file)}${name ? `&name=${encodeURIComponent(name)}` : ''}`;
    const res = await fetch(`${server.url}/api/traces?${q}`, { method: 'POST', body: fs.readFileSync(path.join(TRACES_DIR, file)) });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { trace_id: number }).trace_id;
  }

  async function sql(text: string): Promise<unknown[][]> {
    const res = await fetch(`${server.url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: text }) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { rows: unknown[][] }).rows;
  }

  before(async () => {
    assertPrerequisites();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    traceId = await upload(SAMPLE);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  });

  async function shots(name: string): Promise<void> {
    for (const w of WIDTHS) {
      await page.setViewportSize({ width: w, height: 900 });
      // A chart tooltip under a mouse left where the last click was can hang past the edge.
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(SCREENSHOTS, `everyday-${name}-${w}.png`), fullPage: true });
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= inner, `${name}: page is ${scroll}px wide in a ${inner}px window`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }

  it('latency histogram, slowest bucket → its groups → one group → its trace lines, equal to the file by number', async () => {
    await page.goto(`${server.url}/traces/${traceId}/latency`);
    await page.locator('[data-testid="chart-latency-histogram"] .recharts-bar-rectangle path').first().waitFor({ state: 'attached', timeout: 20_000 });
    await shots('latency');
    // ftrace text prints µs: the page says the latencies are whole µs.
    assert.match((await page.locator('[data-testid="timestamp-resolution"][data-ns="1000"]').textContent()) ?? '', /1 µs resolution/);
    // The slowest answered group, by SQL: the bucket's groups must include it.
    const [[maxLatency, slowestGroup]] = (await sql(
      `SELECT latency_ns, group_no FROM fault_groups WHERE trace_id = ${traceId} AND status = 'answered' ORDER BY latency_ns DESC, group_no LIMIT 1`,
    )) as [[number, number]];
    // Clicking the last bar itself (the slowest bucket) navigates like the link does.
    await page.locator('[data-testid="chart-latency-histogram"] .recharts-bar-rectangle path').last().click({ force: true });
    await page.waitForURL(/\/groups\?.*lat_min=/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('lat_max'), String(maxLatency), 'the slowest bucket ends at the largest latency');
    assert.equal(url.searchParams.get('sort'), 'latency');
    const table = page.locator('[data-testid="groups-table"]');
    await table.waitFor();
    const [[inBucket]] = (await sql(
      `SELECT count(*) FROM fault_groups WHERE trace_id = ${traceId} AND status = 'answered' AND latency_ns BETWEEN ${url.searchParams.get('lat_min')} AND ${maxLatency}`,
    )) as [[number]];
    assert.equal(Number(await table.getAttribute('data-total')), Number(inBucket));
    const first = page.locator('[data-testid="group-row"]').first();
    assert.equal(Number(await first.getAttribute('data-group')), Number(slowestGroup), 'slowest first');
    assert.equal(Number(await first.getAttribute('data-latency-ns')), Number(maxLatency));
    await shots('groups-slowest-bucket');

    await first.locator('a').first().click();
    await page.waitForURL(new RegExp(`/traces/${traceId}/groups/${slowestGroup}$`));
    const lines = page.locator('[data-testid="trace-line"]');
    await lines.first().waitFor();
    const [[firstLine, lastLine, responseLine]] = (await sql(
      `SELECT first_line, last_line, response_line FROM fault_groups WHERE trace_id = ${traceId} AND group_no = ${slowestGroup}`,
    )) as [[number, number, number]];
    const shown = await lines.evaluateAll((els) =>
      els.map((e) => ({
        line: Number(e.getAttribute('data-line')),
        ts: e.getAttribute('data-ts-ns')!,
        event: e.getAttribute('data-event')!,
        role: e.getAttribute('data-role')!,
      })),
    );
    assert.ok(shown.length >= 3, `${shown.length} lines shown`);
    for (const l of shown) {
      const text = fileLines[l.line - 1] ?? '';
      const ts = BigInt(l.ts);
      const seconds = `${ts / 1_000_000_000n}.${String((ts % 1_000_000_000n) / 1000n).padStart(6, '0')}:`;
      assert.ok(text.includes(` ${seconds} ${l.event}:`), `line ${l.line} shown as ${l.event} at ${seconds}, file has: ${text}`);
    }
    const role = (n: number) => shown.find((l) => l.line === n)?.role;
    assert.equal(role(Number(firstLine)), Number(firstLine) === Number(lastLine) ? 'last_request' : 'request');
    assert.equal(role(Number(lastLine)), 'last_request');
    assert.equal(role(Number(responseLine)), 'response');
    // Every numbered line within the context window that is not an event is said to be one.
    const nonEvents = await page.locator('.trace-lines tr.missing').count();
    const windowLines = shown.length + nonEvents;
    assert.ok(windowLines >= 3);
    assert.match((await page.locator('[data-testid="group-lines"]').textContent()) ?? '', /raw text is not kept/);
    await shots('group-lines');
  });

  it('percentile cards and device rows open the explorer with their filter', async () => {
    await page.goto(`${server.url}/traces/${traceId}/latency`);
    const p99 = page.locator('[data-testid="latency-p99"]');
    const p99ns = await p99.getAttribute('data-ns');
    await p99.locator('a').click();
    await page.waitForURL(/\/groups\?/);
    assert.equal(new URL(page.url()).searchParams.get('lat_min'), p99ns);
    const [[atOrAbove]] = (await sql(`SELECT count(*) FROM fault_groups WHERE trace_id = ${traceId} AND latency_ns >= ${p99ns}`)) as [[number]];
    assert.equal(Number(await page.locator('[data-testid="groups-table"]').getAttribute('data-total')), Number(atOrAbove));

    await page.goto(`${server.url}/traces/${traceId}`);
    const row = page.locator('[data-testid="devices-table"] tbody tr', { hasText: '0000:00:0a.0' });
    await row.locator('a[href*="/groups"]').click();
    await page.waitForURL(/\/groups\?device=0000%3A00%3A0a\.0$/);
    const [[ofDevice]] = (await sql(`SELECT count(*) FROM fault_groups WHERE trace_id = ${traceId} AND device = '0000:00:0a.0'`)) as [[number]];
    assert.equal(Number(await page.locator('[data-testid="groups-table"]').getAttribute('data-total')), Number(ofDevice));
    await page.locator('[data-testid="sort-latency"]').click();
    await page.waitForURL(/sort=latency&dir=desc/);
    const latencies = await page.locator('[data-testid="group-row"]').evaluateAll((els) =>
      els
        .map((e) => e.getAttribute('data-latency-ns'))
        .filter((v) => v !== '')
        .map(Number),
    );
    assert.deepEqual(
      latencies,
      [...latencies].sort((x, y) => y - x),
      'sorted slowest first',
    );
    await shots('groups-device');
  });

  it('the PASID filter survives a link and another filter, and the picker finds PASIDs beyond the listed 200', async () => {
    // 400 PASIDs on one device: the latency page lists 200, so a rare one is only found by search.
    const sim = simulate({ seed: 16, groups: 4000, devicesPerIommu: 1, pasidsPerDevice: 400 });
    const chunks: string[] = [];
    writeSimCsv(sim.events, (c) => chunks.push(c));
    const file = path.join(server.dir, 'many-pasids.csv');
    fs.writeFileSync(file, chunks.join(''));
    const res = await fetch(`${server.url}/api/traces?filename=many-pasids.csv`, { method: 'POST', body: fs.readFileSync(file) });
    assert.equal(res.status, 201, await res.clone().text());
    const many = ((await res.json()) as { trace_id: number }).trace_id;
    // The page's own ranking (most groups first, then the smaller PASID): the last one is past 200.
    const ranked = (await sql(
      `SELECT pasid, count(*) AS n FROM fault_groups WHERE trace_id = ${many} AND status = 'answered' GROUP BY pasid ORDER BY n DESC, pasid`,
    )) as [number, number][];
    assert.ok(ranked.length > 200, `${ranked.length} PASIDs`);
    const [rare] = ranked[ranked.length - 1]!;

    // From the overview's PASID table to the latency page: the field shows the PASID followed.
    await page.goto(`${server.url}/traces/${many}`);
    const link = page.locator('[data-testid="pasids-table"] a[href*="/latency?pasid="]').first();
    const linked = new URL((await link.getAttribute('href'))!, server.url).searchParams.get('pasid');
    await link.click();
    await page.waitForURL(/\/latency\?pasid=/);
    assert.equal(await page.locator('#f-pasid').inputValue(), linked);

    // A link to the rare PASID, then another filter applied: both stay, in the URL and the fields.
    await page.goto(`${server.url}/traces/${many}/latency?pasid=0x${Number(rare).toString(16)}`);
    assert.equal(await page.locator('#f-pasid').inputValue(), String(rare));
    await page.locator('#f-code').selectOption('success');
    await page.locator('[data-testid="latency-filters"] button[type="submit"]').click();
    await page.waitForURL(/code=success/);
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('pasid'), String(rare));
    assert.equal(await page.locator('#f-pasid').inputValue(), String(rare));
    assert.equal(await page.locator('#f-code').inputValue(), 'success');
    const [[n]] = (await sql(`SELECT count(*) FROM fault_groups WHERE trace_id = ${many} AND status = 'answered' AND pasid = ${rare} AND code = 0`)) as [
      [number],
    ];
    await page.locator(`[data-testid="latency-figures"][data-answered="${Number(n)}"]`).waitFor();
    await shots('latency-pasid-filter');

    // The picker searches the server: typing the rare PASID's hex offers it, with its group count.
    await page.locator('#f-pasid').fill(`0x${Number(rare).toString(16)}`);
    await page.locator(`#f-pasid-list option[value="${rare}"]`).waitFor({ state: 'attached' });
    const search = (await (await fetch(`${server.url}/api/traces/${many}/filter-values?dim=pasid&q=${rare}`)).json()) as { value: number; groups: number }[];
    assert.ok(search.some((o) => o.value === rare));
    assert.equal((await fetch(`${server.url}/api/traces/${many}/filter-values?dim=nope`)).status, 400);
    assert.equal((await fetch(`${server.url}/api/traces/99999999999999999999/filter-values?dim=pasid`)).status, 404);
  });

  it('mistyped link parameters are shown as a notice, not silently dropped', async () => {
    await page.goto(`${server.url}/traces/${traceId}/latency?pasid=zz&from=10&code=maybe`);
    const notice = page.locator('[data-testid="param-notice"]');
    await notice.waitFor();
    const text = (await notice.textContent()) ?? '';
    assert.match(text, /pasid=zz/);
    assert.match(text, /code=maybe/);
    assert.match(text, /from= and to= go together/);
    await shots('latency-notice');
    await page.goto(`${server.url}/traces/${traceId}/groups?sort=evil&page=-1&lat_min=abc`);
    const t2 = (await page.locator('[data-testid="param-notice"]').textContent()) ?? '';
    assert.match(t2, /sort=evil/);
    assert.match(t2, /page=-1/);
    assert.match(t2, /lat_min=abc/);
    await page.goto(`${server.url}/compare?a=1x&b=${traceId}`);
    assert.match((await page.locator('[data-testid="param-notice"]').textContent()) ?? '', /a=1x is not an id/);
    await page.goto(`${server.url}/traces/${traceId}/replay?runs=3,abc`);
    assert.match((await page.locator('[data-testid="param-notice"]').textContent()) ?? '', /runs=abc is not a list of ids/);
    await page.goto(`${server.url}/traces/${traceId}`);
    assert.equal(await page.locator('[data-testid="param-notice"]').count(), 0, 'no notice without bad parameters');
    for (const url of ['/api/traces/99999999999999999999/stats', '/api/traces/99999999999999999999', '/api/traces/abc']) {
      assert.equal((await fetch(`${server.url}${url}`)).status, 404, url);
    }
  });

  it('the report links its worst moments to their groups', async () => {
    await page.goto(`${server.url}/traces/${traceId}/report`);
    const link = page.locator('[data-testid="report-worst-moments"] tbody tr a').first();
    await link.waitFor();
    await page.locator('[data-testid="chart-latency-histogram"] .recharts-bar-rectangle path').first().waitFor({ state: 'attached', timeout: 20_000 });
    await shots('report');
    const groupsInRow = Number(
      (await page.locator('[data-testid="report-worst-moments"] tbody tr').first().locator('td').nth(1).textContent())?.replace(/,/g, ''),
    );
    await link.click();
    await page.waitForURL(/\/groups\?.*from=/);
    assert.equal(Number(await page.locator('[data-testid="groups-table"]').getAttribute('data-total')), groupsInRow);
    await shots('groups-worst-moment');
  });

  /** Rows of a trace per table with a trace_id column (from the catalog), and its runs' results. */
  async function rowsOfTrace(id: number, runIds: number[]): Promise<Record<string, number>> {
    const tables = (await sql("SELECT DISTINCT table_name FROM duckdb_columns() WHERE column_name = 'trace_id' AND NOT internal ORDER BY 1")).map((r) =>
      String(r[0]),
    );
    assert.ok(tables.length >= 7, tables.join(', '));
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = Number((await sql(`SELECT count(*) FROM ${t} WHERE trace_id = ${id}`))[0]![0]);
    out.replay_results = runIds.length ? Number((await sql(`SELECT count(*) FROM replay_results WHERE run_id IN (${runIds.join(', ')})`))[0]![0]) : 0;
    return out;
  }

  it("at 390 px no page is wider than the window, a binary upload's error included; dark theme follows the system", async () => {
    const [[group]] = (await sql(`SELECT min(group_no) FROM fault_groups WHERE trace_id = ${traceId}`)) as [[number]];
    const pages: [string, string][] = [
      ['home', '/'],
      ['overview', `/traces/${traceId}`],
      ['latency', `/traces/${traceId}/latency`],
      ['groups', `/traces/${traceId}/groups`],
      ['group', `/traces/${traceId}/groups/${group}`],
      ['replay', `/traces/${traceId}/replay`],
      ['scaling', `/traces/${traceId}/scaling`],
      ['annotations', `/traces/${traceId}/annotations`],
      ['report', `/traces/${traceId}/report`],
      ['compare', `/compare?a=${traceId}&b=${traceId}`],
      ['sql', '/sql'],
      ['fleet', '/fleet'],
      ['capture', '/capture'],
    ];
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: scheme });
      const narrow = await ctx.newPage();
      narrow.on('pageerror', (e) => pageErrors.push(e.message));
      const wide: string[] = [];
      for (const [name, url] of pages) {
        await narrow.goto(`${server.url}${url}`, { waitUntil: 'networkidle' });
        const [scroll, inner] = await narrow.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        if (scroll > inner) wide.push(`${name} ${scroll}px`);
        await narrow.screenshot({ path: path.join(SCREENSHOTS, `everyday-390-${scheme}-${name}.png`), fullPage: true });
      }
      if (scheme === 'light') {
        // A binary file's rejection is one long unbroken string: it wraps.
        await narrow.goto(`${server.url}/`);
        await narrow.locator('[data-testid="trace-file-input"]').setInputFiles(path.join(ROOT, 'tests', 'hostile', 'binary-garbage.bin'));
        await narrow.locator('[data-testid="upload-item"][data-stage="failed"]').waitFor({ timeout: 30_000 });
        const [scroll, inner] = await narrow.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        if (scroll > inner) wide.push(`home with a failed binary upload ${scroll}px`);
        await narrow.screenshot({ path: path.join(SCREENSHOTS, 'everyday-390-binary-upload.png'), fullPage: true });
      } else {
        // The system's dark setting darkens the page: background and text swap brightness.
        await narrow.goto(`${server.url}/traces/${traceId}/latency`, { waitUntil: 'networkidle' });
        const [bg, fg] = await narrow.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
        const lum = (c: string) =>
          c
            .match(/\d+/g)!
            .slice(0, 3)
            .map(Number)
            .reduce((a, b) => a + b, 0) / 3;
        assert.ok(lum(bg) < 60 && lum(fg) > 180, `dark theme: background ${bg}, text ${fg}`);
        await narrow.setViewportSize({ width: 1280, height: 900 });
        await narrow.screenshot({ path: path.join(SCREENSHOTS, 'everyday-dark-latency-1280.png'), fullPage: true });
      }
      await ctx.close();
      assert.deepEqual(wide, [], `${scheme}: pages wider than 390 px`);
    }
  });

  it('rename and delete a trace from its page; nothing of it left in any table', async () => {
    const b = await upload('intel-v5.14-trace.txt');
    const post = (url: string, body: unknown) =>
      fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const run = await post(`/api/traces/${b}/replay`, { model: 'per-device', seed: 1 });
    assert.equal(run.status, 201, await run.clone().text());
    const runId = ((await run.json()) as { run_id: number }).run_id;
    assert.equal((await post(`/api/traces/${b}/sweep`, {})).status, 201);
    assert.equal((await post(`/api/traces/${b}/sensitivity`, { model: 'per-device' })).status, 201);
    assert.equal((await post(`/api/traces/${b}/annotations`, { author: 'e2e', text: 'doomed note' })).status, 201);
    assert.equal((await post('/api/views', { name: 'doomed view', url: `/traces/${b}/groups?sort=latency&dir=desc` })).status, 201);
    const before = await rowsOfTrace(b, [runId]);
    for (const [t, n] of Object.entries(before)) assert.ok(n > 0, `trace ${b} has rows in ${t} before the delete`);
    const otherBefore = await rowsOfTrace(traceId, []);

    await page.goto(`${server.url}/traces/${b}`);
    await page.locator('[data-testid="rename-trace"]').click();
    await page.locator('#trace-new-name').fill('intel-v6.9-trace.txt');
    await page.locator('[data-testid="rename-submit"]').click();
    assert.match((await page.locator('[data-testid="trace-action-error"]').textContent()) ?? '', /already the name of trace/);
    await page.locator('#trace-new-name').fill('  lab box — v5.14 run  ');
    await page.locator('[data-testid="rename-submit"]').click();
    await page.locator('[data-testid="trace-name"]', { hasText: 'lab box — v5.14 run' }).waitFor();
    assert.deepEqual(await sql(`SELECT name FROM traces WHERE trace_id = ${b}`), [['lab box — v5.14 run']]);
    await shots('trace-renamed');

    await page.locator('[data-testid="delete-trace"]').click();
    const dialog = page.locator('[data-testid="delete-dialog"]');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /Delete “lab box — v5.14 run”\?/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'everyday-delete-dialog-1440.png') });
    await page.locator('[data-testid="delete-confirm"]').click();
    await page.waitForURL(/\/\?deleted=/);
    await page.locator('[data-testid="deleted-notice"]').waitFor();
    assert.equal(await page.locator(`[data-testid="traces-table"] tr[data-trace-id="${b}"]`).count(), 0);
    await shots('home-after-delete');

    const after = await rowsOfTrace(b, [runId]);
    for (const [t, n] of Object.entries(after)) assert.equal(n, 0, `${t} still holds rows of trace ${b}`);
    assert.deepEqual(await rowsOfTrace(traceId, []), otherBefore, 'the other trace is untouched');
    assert.equal((await fetch(`${server.url}/api/traces/${b}`, { method: 'DELETE' })).status, 404);
    assert.equal((await fetch(`${server.url}/api/traces/99999999999999999999`, { method: 'DELETE' })).status, 404);
  });

  it('a second upload of the same file asks: open the existing trace (the copy is deleted) or keep both', async () => {
    const hashCount = async () =>
      Number((await sql(`SELECT count(*) FROM traces WHERE file_hash = (SELECT file_hash FROM traces WHERE trace_id = ${traceId})`))[0]![0]);
    assert.equal(await hashCount(), 1);
    await page.goto(server.url);
    await page.locator('[data-testid="trace-file-input"]').setInputFiles(path.join(TRACES_DIR, SAMPLE));
    const prompt = page.locator('[data-testid="duplicate-prompt"]');
    await prompt.waitFor({ timeout: 60_000 });
    assert.match((await prompt.textContent()) ?? '', new RegExp(`already uploaded as ${SAMPLE.replace(/\./g, '\\.')} \\(trace #${traceId}`));
    assert.equal(await hashCount(), 2);
    await shots('home-duplicate-prompt');
    await page.locator('[data-testid="duplicate-open-existing"]').click();
    await page.waitForURL(new RegExp(`/traces/${traceId}$`));
    assert.equal(await hashCount(), 1, 'the new copy was deleted');

    await page.goto(server.url);
    await page.locator('[data-testid="trace-file-input"]').setInputFiles(path.join(TRACES_DIR, SAMPLE));
    await prompt.waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="duplicate-keep"]').click();
    await prompt.waitFor({ state: 'detached' });
    assert.equal(await hashCount(), 2, 'both kept');
  });

  it('no script errors on any page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
