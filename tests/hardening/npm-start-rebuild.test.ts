// `npm start` after a page changed rebuilds, says which file made it, and serves the change
// (scripts/start.ts, scripts/build-freshness.ts). It runs on a copy of the project's tracked
// files with this checkout's build, inside the checkout (.tmp/, git-ignored) so node_modules
// resolves from here: rebuilding the checkout's own .next would pull it from under any other
// server test running at the same time.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildState } from '../../scripts/build-freshness.ts';
import { ROOT, startServer, type Server } from '../e2e/server.ts';
import { TRACES_DIR } from '../helpers/temp-db.ts';
import { assertBuilt } from './server-support.ts';
import { runCli } from './support.ts';

const PAGE = path.join('app', 'capture', 'page.tsx');
const HEADING = '<h1>Recording PRI traffic</h1>';
const CHANGED = '<h1>Recording PRI traffic, rebuilt</h1>';

describe('npm start after a page changed', { timeout: 20 * 60_000 }, () => {
  const copy = path.join(ROOT, '.tmp', `start-rebuild-${process.pid}`);
  const dbPath = path.join(copy, 'data', 'rebuild.duckdb');
  let server: Server | null = null;

  before(async () => {
    assertBuilt();
    const files = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(files.status, 0, `git ls-files: ${files.stderr}`);
    for (const f of files.stdout.split('\0').filter(Boolean)) {
      if (!fs.existsSync(path.join(ROOT, f))) continue;
      fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
    }
    fs.cpSync(path.join(ROOT, '.next'), path.join(copy, '.next'), { recursive: true });
    fs.symlinkSync(path.relative(copy, path.join(ROOT, 'node_modules')), path.join(copy, 'node_modules'));
    // The copied build is as new as its sources: fresh, so only the change below is news.
    const now = Date.now() / 1000;
    fs.utimesSync(path.join(copy, '.next', 'BUILD_ID'), now + 1, now + 1);
    assert.deepEqual(buildState(copy), { kind: 'fresh' });
    const r = await runCli(['ingest', path.join(TRACES_DIR, 'intel-v6.9-trace.txt'), '--db', dbPath]);
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(copy, { recursive: true, force: true });
  });

  it('says which file changed, builds, and serves the changed page', async () => {
    const page = path.join(copy, PAGE);
    const text = fs.readFileSync(page, 'utf8');
    assert.ok(text.includes(HEADING), 'the page has the heading this test changes');
    fs.writeFileSync(page, text.replace(HEADING, CHANGED));
    const later = Date.now() / 1000 + 5;
    fs.utimesSync(page, later, later);
    const oldId = fs.readFileSync(path.join(copy, '.next', 'BUILD_ID'), 'utf8');
    server = await startServer({ via: 'npm-start', root: copy, dbPath, readyPath: '/capture', readyTimeoutMs: 15 * 60_000 });
    assert.match(fs.readFileSync(server.log, 'utf8'), new RegExp(`${PAGE.replace(/[.[\]]/g, '\\$&')} changed after the last build: running next build`));
    const html = await (await fetch(`${server.url}/capture`)).text();
    assert.ok(html.includes('Recording PRI traffic, rebuilt'), 'the changed heading is served');
    const newId = fs.readFileSync(path.join(copy, '.next', 'BUILD_ID'), 'utf8');
    assert.notEqual(newId, oldId);
    assert.deepEqual(buildState(copy), { kind: 'fresh' });
  });

  it('the next start finds the build fresh and does not build', async () => {
    await server!.stop();
    server = await startServer({ via: 'npm-start', root: copy, dbPath, readyPath: '/capture' });
    const log = fs.readFileSync(server.log, 'utf8');
    assert.doesNotMatch(log, /running next build/);
    assert.ok((await (await fetch(`${server.url}/capture`)).text()).includes('Recording PRI traffic, rebuilt'));
  });
});
