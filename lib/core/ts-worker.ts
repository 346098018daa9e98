// Worker threads on TypeScript entries when the process runs under tsx (the CLI, the tests).
// A worker does not inherit tsx's loader hooks on Node 20; registering tsx inside each worker
// cost ~0.9 CPU-s of module loading per worker (measured on the ftrace decode workers, whose
// decode of 1 M lines is ~2.5 CPU-s). So the entry is bundled once per process with esbuild
// (tsx's own transformer) and the worker starts on plain JavaScript from a data: URL. In the
// Next build callers keep the literal `new Worker(new URL(…))`, which Turbopack bundles.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export const UNDER_TSX = process.execArgv.some((a) => a.includes('tsx'));

interface Esbuild {
  buildSync(o: object): { outputFiles: { text: string }[] };
}

const bundles = new Map<string, URL>();

function bundled(entry: URL): URL {
  let url = bundles.get(entry.href);
  if (!url) {
    // Required at run time only under tsx: the Next build never reaches it and must not bundle esbuild.
    const esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
    const out = esbuild.buildSync({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    url = new URL(`data:text/javascript,${encodeURIComponent(out.outputFiles[0]!.text)}`);
    bundles.set(entry.href, url);
  }
  return url;
}

/** A worker on the TypeScript module at entry, for a process running under tsx. */
export function tsWorker(entry: URL, options: WorkerOptions): Worker {
  return new Worker(bundled(entry), options);
}
