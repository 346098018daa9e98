// The project's import boundaries, written down once and enforced by lint (eslint.config.js
// loads this rule; `npm run lint` is part of `npm run check`). Modelled on Perfetto's
// check_imports: a table of the edges allowed between lib/ folders, a short list of the
// packages each may use, and the exceptions, each with its reason, listed openly here rather
// than silenced where they occur.

import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** lib/ folders from the bottom up, and the lib/ folders each may import (besides itself). */
export const LIB_LAYERS = {
  core: [],
  trace: ['core'],
  replay: ['core'],
  /** Request guards shared by proxy.ts, route handlers and the server (Host, Origin, body caps). */
  http: ['core'],
  lake: ['core'],
  sim: ['core', 'replay'],
  /** The capture guide: the commands that record each input format (the /capture page, README). */
  capture: ['trace'],
  /** The store: the DuckDB adapter (instance, schema, path, column appends, limits), the lake's files, and the records users write (annotations, saved views, trace admin). */
  db: ['core', 'trace', 'replay', 'lake'],
  /** Reads only: what pages, reports and the CLI show, and the replay engine's input. */
  queries: ['core', 'trace', 'db', 'replay', 'lake'],
  /** Orchestration that computes, then stores: ingest and uploads, replay runs, sweeps, the SQL console, the server handoff. */
  services: ['core', 'trace', 'replay', 'lake', 'db', 'queries'],
  postmortem: ['core', 'db', 'queries', 'replay'],
  cli: ['core', 'trace', 'replay', 'lake', 'sim', 'db', 'queries', 'services', 'postmortem'],
};

/** Edges that break the table today, each with why; removing one is progress. */
export const EXCEPTIONS = [];

/**
 * Files outside lib/db that open DuckDB themselves, each with why. The SQL console runs a user's
 * SELECT on a raw connection: it needs DuckDB's statement parser, result types and interrupt(),
 * which the Db interface deliberately does not offer to anyone else.
 */
export const DUCKDB_EXCEPTIONS = ['lib/services/sql-console.ts'];

/** Packages lib/ never uses: lib stays usable from the CLI and tests, free of UI and Next. */
const UI_PACKAGES = ['react', 'react-dom', 'next', 'recharts', 'server-only'];
/** Only the store layer holds the native DuckDB handle. */
const DUCKDB = '@duckdb/node-api';
/** Formats, the replay engine, the lake's layout and the simulator are pure: no file, process or network I/O. */
const PURE = new Set(['core', 'trace', 'replay', 'lake', 'sim']);
const IO_MODULES = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'dgram', 'dns', 'tls'];
/** What a client component must never pull into the browser bundle. */
const SERVER_ONLY_LIB = new Set(['db', 'queries', 'services', 'cli', 'postmortem']);

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** 'lib/<folder>' layer name of a repo-relative path, else null. */
function libFolder(rel) {
  const m = /^lib\/([^/]+)\//.exec(rel);
  return m ? m[1] : null;
}

function resolveTarget(fileAbs, spec) {
  if (spec.startsWith('.')) return { rel: path.relative(ROOT, path.resolve(path.dirname(fileAbs), spec)) };
  if (spec.startsWith('@/')) return { rel: spec.slice(2) };
  return { pkg: spec.startsWith('node:') ? spec : packageName(spec) };
}

function isUseClient(program) {
  for (const st of program.body) {
    if (st.type !== 'ExpressionStatement' || typeof st.directive !== 'string') return false;
    if (st.directive === 'use client') return true;
  }
  return false;
}

/** The reason an import breaks a boundary, or null. */
export function violation(fromRel, spec, { typeOnly = false, client = false } = {}) {
  const target = resolveTarget(path.join(ROOT, fromRel), spec);
  const from = libFolder(fromRel);
  if (target.pkg) {
    const pkg = target.pkg;
    const builtin = pkg.startsWith('node:') ? pkg.slice(5) : null;
    if (pkg === DUCKDB && !fromRel.startsWith('lib/db/') && !DUCKDB_EXCEPTIONS.includes(fromRel)) return 'only lib/db opens DuckDB';
    if (from && UI_PACKAGES.includes(pkg)) return 'lib/ stays free of UI and Next.js';
    if (from && PURE.has(from) && builtin && IO_MODULES.includes(builtin))
      return `lib/${from} is pure: no ${pkg} (I/O belongs to lib/db, lib/services or lib/cli)`;
    if (client && !typeOnly && (builtin || pkg === 'server-only')) return `a client component cannot import ${pkg}`;
    return null;
  }
  const to = target.rel;
  if (from && to.startsWith('app/')) return 'lib/ never imports from app/';
  const toLib = libFolder(to);
  if (client && !typeOnly && (to.startsWith('app/_data/') || to.startsWith('app/api/') || (toLib && SERVER_ONLY_LIB.has(toLib))))
    return `a client component cannot import server code (${to}); share types with \`import type\``;
  if (!from || !toLib || from === toLib) return null;
  if (EXCEPTIONS.some((e) => e.from === fromRel && e.to === to)) return null;
  if (!(from in LIB_LAYERS)) return `lib/${from} has no row in the layer table (scripts/lint/layers.mjs)`;
  if (!LIB_LAYERS[from].includes(toLib)) return `lib/${from} may not import lib/${toLib} (allowed: ${LIB_LAYERS[from].join(', ') || 'nothing of ours'})`;
  return null;
}

export const layersPlugin = {
  rules: {
    imports: {
      meta: { type: 'problem', schema: [], docs: { description: 'import boundaries between layers' } },
      create(context) {
        const rel = path.relative(ROOT, context.filename);
        let client = false;
        const check = (node, source, typeOnly) => {
          if (!source || typeof source.value !== 'string') return;
          const why = violation(rel, source.value, { typeOnly, client });
          if (why) context.report({ node: source, message: `${source.value}: ${why}` });
        };
        return {
          Program(node) {
            client = isUseClient(node);
          },
          ImportDeclaration: (n) => check(n, n.source, n.importKind === 'type'),
          ExportNamedDeclaration: (n) => check(n, n.source, n.exportKind === 'type'),
          ExportAllDeclaration: (n) => check(n, n.source, n.exportKind === 'type'),
          ImportExpression: (n) => check(n, n.source, false),
        };
      },
    },
  },
};
