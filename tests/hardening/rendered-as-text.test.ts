// Injection: user strings — a trace's file name and display name, an annotation's author and
// text, a saved view's name — are shown as text on every page that shows them, never as markup.
// Each carries a script, an event-handler image and an SVG payload; if any ran, it would call
// alert() (a dialog) or leave an element with our marker in the DOM. Real `next start`, Chromium.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TRACES_DIR } from '../helpers/temp-db.ts';
import { assertPrerequisites, launchBrowser, startServer, type Server } from '../e2e/server.ts';
import { request, upload } from './server-support.ts';

const PAYLOAD = `<script>alert("x1")</script><img src=x data-pwn="1" onerror=alert("x2")><svg data-pwn="1" onload=alert("x3")>`;

describe('user strings are rendered as text', { timeout: 240_000 }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let traceId = 0;
  const dialogs: string[] = [];

  before(async () => {
    assertPrerequisites();
    server = await startServer();
    const up = await upload(server.url, path.join(TRACES_DIR, 'intel-v6.9-trace.txt'), { filename: `trace ${PAYLOAD}.txt`, name: `name ${PAYLOAD}` });
    assert.equal(up.status, 201, up.text);
    traceId = (up.json as { trace_id: number }).trace_id;
    const note = await request(`${server.url}/api/traces/${traceId}/annotations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ author: `author ${PAYLOAD}`.slice(0, 100), text: `note ${PAYLOAD}`, start_offset_ns: 0, end_offset_ns: 100_000 }),
    });
    assert.equal(note.status, 201, note.text);
    const view = await request(`${server.url}/api/views`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `view ${PAYLOAD}`.slice(0, 100), url: `/traces/${traceId}/latency` }),
    });
    assert.equal(view.status, 201, view.text);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  });

  for (const [label, pathOf, expected] of [
    ['home', () => '/', [`name ${PAYLOAD}`]],
    ['overview', (id: number) => `/traces/${id}`, [`name ${PAYLOAD}`, 'view <script>']],
    ['annotations', (id: number) => `/traces/${id}/annotations`, ['note <script>alert("x1")</script>', 'author <script>']],
    ['report', (id: number) => `/traces/${id}/report`, ['note <script>alert("x1")</script>']],
    ['compare', (id: number) => `/compare?a=${id}&b=${id}`, [`name ${PAYLOAD}`]],
  ] as const) {
    it(`${label}: the strings appear literally, nothing of them runs or becomes an element`, async () => {
      await page.goto(server.url + pathOf(traceId), { waitUntil: 'load' });
      await page.waitForTimeout(300);
      const text = (await page.locator('body').textContent()) ?? '';
      for (const s of expected) assert.ok(text.includes(s), `${label} shows ${JSON.stringify(s)} as text`);
      assert.equal(await page.locator('[data-pwn]').count(), 0, `${label}: an element from a payload`);
      assert.deepEqual(dialogs, [], `${label}: a payload ran`);
    });
  }
});
