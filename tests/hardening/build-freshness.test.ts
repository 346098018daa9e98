// `npm start` builds when the build is missing or older than a source (scripts/build-freshness.ts):
// on a scratch project tree with real files and modification times — a touched page, lib file or
// lock file makes it stale and is named; node_modules, hidden folders and files outside the
// build's sources (tests, traces, the database) do not.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildState, newestSource } from '../../scripts/build-freshness.ts';
import { tempDir } from '../helpers/temp-db.ts';

function write(root: string, rel: string, at: number): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rel);
  fs.utimesSync(file, at, at);
}

describe('npm start: is the build fresh?', () => {
  const t0 = 1_700_000_000;
  const root = tempDir('pritrace-freshness-');
  for (const rel of ['app/page.tsx', 'app/traces/[id]/page.tsx', 'lib/db/schema.ts', 'package.json', 'package-lock.json', 'next.config.js'])
    write(root, rel, t0);

  it('no build: missing', () => {
    assert.deepEqual(buildState(root), { kind: 'missing' });
  });

  it('a build newer than every source: fresh', () => {
    write(root, '.next/BUILD_ID', t0 + 10);
    assert.deepEqual(buildState(root), { kind: 'fresh' });
  });

  it('files outside the sources, node_modules and hidden folders never make it stale', () => {
    for (const rel of ['tests/e2e/everyday.test.ts', 'traces/x.trace', 'data/pritrace.duckdb', 'app/node_modules/x.js', 'lib/.cache/y.ts', 'README.md'])
      write(root, rel, t0 + 100);
    assert.deepEqual(buildState(root), { kind: 'fresh' });
  });

  it('a page touched after the build: stale, naming the page', () => {
    write(root, 'app/traces/[id]/page.tsx', t0 + 20);
    assert.deepEqual(buildState(root), { kind: 'stale', file: path.join('app', 'traces', '[id]', 'page.tsx') });
  });

  it('the newest of several changed sources is the one named; a new build makes it fresh again', () => {
    write(root, 'lib/db/schema.ts', t0 + 30);
    write(root, 'package-lock.json', t0 + 25);
    assert.deepEqual(newestSource(root), { file: path.join('lib', 'db', 'schema.ts'), mtimeMs: (t0 + 30) * 1000 });
    assert.deepEqual(buildState(root), { kind: 'stale', file: path.join('lib', 'db', 'schema.ts') });
    write(root, '.next/BUILD_ID', t0 + 40);
    assert.deepEqual(buildState(root), { kind: 'fresh' });
  });

  it('this project: the sources it walks are the ones the build reads', () => {
    const project = path.resolve(import.meta.dirname, '..', '..');
    const newest = newestSource(project);
    assert.ok(newest, 'the project has sources');
    assert.match(newest.file, /^(app|lib|public)\/|^(proxy|instrumentation)\.ts$|^(next\.config\.js|tsconfig\.json|package(-lock)?\.json)$/);
  });
});
