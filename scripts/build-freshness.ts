// Whether `npm start` may serve the existing Next build: none yet, or a source the build is made
// from (pages, lib, config, dependencies) changed after it — then it must build first, or it
// serves yesterday's pages without a word. Compared by modification time against .next/BUILD_ID,
// which `next build` writes once the build is complete.

import fs from 'node:fs';
import path from 'node:path';

/** What the build is made of, relative to the project root; folders are walked. */
export const BUILD_SOURCES = ['app', 'lib', 'public', 'proxy.ts', 'instrumentation.ts', 'next.config.js', 'tsconfig.json', 'package.json', 'package-lock.json'];

export type BuildState = { kind: 'missing' } | { kind: 'stale'; file: string } | { kind: 'fresh' };

/** The newest file under the sources (relative path and mtime), or null if there is none. */
export function newestSource(root: string): { file: string; mtimeMs: number } | null {
  let newest: { file: string; mtimeMs: number } | null = null;
  const visit = (rel: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(path.join(root, rel));
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(path.join(root, rel))) if (name !== 'node_modules' && !name.startsWith('.')) visit(path.join(rel, name));
    } else if (st.isFile() && (newest === null || st.mtimeMs > newest.mtimeMs)) newest = { file: rel, mtimeMs: st.mtimeMs };
  };
  for (const s of BUILD_SOURCES) visit(s);
  return newest;
}

export function buildState(root: string): BuildState {
  let built: number;
  try {
    built = fs.statSync(path.join(root, '.next', 'BUILD_ID')).mtimeMs;
  } catch {
    return { kind: 'missing' };
  }
  const newest = newestSource(root);
  return newest !== null && newest.mtimeMs > built ? { kind: 'stale', file: newest.file } : { kind: 'fresh' };
}
