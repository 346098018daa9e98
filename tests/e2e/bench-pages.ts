// Page speed on a large generated trace (issue 4 "Speed"): every chart-data query, warm
// (best of 3 after a first run), with the points it returns, then each page fetched from a
// production `next start` on the same database (time, HTML + inline RSC bytes, gzip bytes).
// Not a test (no .test.ts): run by hand or from scripts/bench.ts through benchPages():
//   node --import tsx tests/e2e/bench-pages.ts [--groups 3300000] [--replay]
// 3.3 M groups ≈ 10 M events ≈ 1.35 GB of Intel ftrace; needs `next build` first.

import fs from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ingestFile } from '../../lib/services/ingest.ts';
import { closeDbInstance, openDb, type Db } from '../../lib/db/instance.ts';
import { runReplayForTrace } from '../../lib/services/replay-runs.ts';
import { deviceBreakdown, pasidBreakdown } from '../../lib/queries/charts/breakdowns.ts';
import { eventsOverTime } from '../../lib/queries/charts/events-over-time.ts';
import { latencyFilterOptions } from '../../lib/queries/charts/filter-options.ts';
import { latencyCdf } from '../../lib/queries/charts/latency-cdf.ts';
import { latencyFigures } from '../../lib/queries/charts/latency-figures.ts';
import { latencyHistogram } from '../../lib/queries/charts/latency-histogram.ts';
import { latencyOverTime } from '../../lib/queries/charts/latency-over-time.ts';
import { pairingHealth } from '../../lib/queries/charts/pairing-health.ts';
import { replayComparison, replayRuns } from '../../lib/queries/charts/replay-comparison.ts';
import { scalingData } from '../../lib/queries/charts/scaling.ts';
import { traceSummary } from '../../lib/queries/charts/summary.ts';
import { traceHeader } from '../../lib/queries/charts/trace-header.ts';
import { getGroup, groupLines, listGroups } from '../../lib/queries/group-explorer.ts';
import { listTraces } from '../../lib/queries/traces.ts';
import { simulate, writeIntelFtrace } from '../../lib/sim/index.ts';
import { tempDir } from '../helpers/temp-db.ts';
import { startServer } from './server.ts';

export interface QueryTiming {
  page: string;
  query: string;
  ms: number;
  /** Rows, buckets or points the chart gets (null for single figures). */
  points: number | null;
  json_bytes: number;
}

export interface PageTiming {
  path: string;
  status: number;
  ms: number;
  bytes: number;
  gzip_bytes: number;
}

export interface PageBench {
  events: number;
  groups: number;
  file_bytes: number;
  ingest_s: number;
  queries: QueryTiming[];
  pages: PageTiming[];
}

function pointsOf(out: unknown): number | null {
  if (Array.isArray(out)) return out.length;
  if (out && typeof out === 'object') {
    for (const k of ['buckets', 'bins', 'rows', 'series', 'runs']) {
      const v = (out as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v.length;
    }
  }
  return null;
}

async function timeQuery(page: string, query: string, fn: () => Promise<unknown>): Promise<QueryTiming> {
  let out = await fn();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    out = await fn();
    best = Math.min(best, performance.now() - t);
  }
  return { page, query, ms: Math.round(best), points: pointsOf(out), json_bytes: (JSON.stringify(out) ?? '').length };
}

async function chartQueries(db: Db, id: number): Promise<QueryTiming[]> {
  const device = (await latencyFilterOptions(db, id)).devices[0]?.value ?? null;
  const runs = (await replayRuns(db, id)).map((r) => r.run_id).slice(-2);
  const cases: [string, string, () => Promise<unknown>][] = [
    ['/', 'listTraces', () => listTraces(db)],
    ['layout', 'traceHeader', () => traceHeader(db, id)],
    ['overview', 'traceSummary', () => traceSummary(db, id)],
    ['overview', 'eventsOverTime', () => eventsOverTime(db, id)],
    ['overview', 'pairingHealth', () => pairingHealth(db, id)],
    ['overview', 'deviceBreakdown', () => deviceBreakdown(db, id, 50)],
    ['overview', 'pasidBreakdown', () => pasidBreakdown(db, id, 50)],
    ['latency', 'latencyFilterOptions', () => latencyFilterOptions(db, id)],
    ['latency', 'latencyFigures', () => latencyFigures(db, id)],
    ['latency', 'latencyHistogram', () => latencyHistogram(db, id)],
    ['latency', 'latencyCdf', () => latencyCdf(db, id, {}, 1000)],
    ['latency', 'latencyOverTime', () => latencyOverTime(db, id)],
    ['latency ?device', 'latencyFigures', () => latencyFigures(db, id, { device })],
    ['latency ?device', 'latencyOverTime', () => latencyOverTime(db, id, { device })],
    ['replay', 'replayRuns', () => replayRuns(db, id)],
    ['replay', 'replayComparison', () => replayComparison(db, id, runs, 400)],
    ['scaling', 'scalingData', () => scalingData(db, id, 'dense')],
    ['groups', 'listGroups', () => listGroups(db, id, {})],
    ['groups ?sort=latency', 'listGroups', () => listGroups(db, id, {}, { sort: 'latency', dir: 'desc' })],
    ['groups ?page=last', 'listGroups', async () => listGroups(db, id, {}, { page: Math.ceil((await listGroups(db, id, {}, { pageSize: 1 })).total / 50) })],
    ['groups ?device&lat', 'listGroups', () => listGroups(db, id, { device, latency_min_ns: 10_000n }, { sort: 'latency', dir: 'desc' })],
    [
      'groups/N',
      'groupLines',
      async () => groupLines(db, id, await getGroup(db, id, (await listGroups(db, id, {}, { sort: 'latency', dir: 'desc', pageSize: 1 })).rows[0]!.group_no)),
    ],
  ];
  const out: QueryTiming[] = [];
  for (const [page, query, fn] of cases) out.push(await timeQuery(page, query, fn));
  return out;
}

/** Bytes on the wire: node:http, because fetch would decompress a gzip answer before counting. */
function fetchPage(url: string, gzip: boolean): Promise<{ status: number; bytes: number; ms: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - t }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function benchPages(opts: { groups?: number; replay?: boolean; log?: (line: string) => void } = {}): Promise<PageBench> {
  const groups = opts.groups ?? 3_300_000;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = tempDir('pritrace-bench-pages-');
  const file = path.join(dir, 'bench-trace.txt');
  const dbPath = path.join(dir, 'bench.duckdb');
  try {
    log(`generating ${groups} groups of Intel ftrace…`);
    const sim = simulate({ seed: 7, groups, iommus: 2, devicesPerIommu: 3, pasidsPerDevice: 6, invalidFraction: 0.01, failureFraction: 0.002 });
    const fd = fs.openSync(file, 'w');
    writeIntelFtrace(sim.events, (chunk) => fs.writeSync(fd, chunk));
    fs.closeSync(fd);
    const fileBytes = fs.statSync(file).size;

    log(`ingesting ${(fileBytes / 2 ** 20).toFixed(0)} MiB…`);
    const db = await openDb(dbPath);
    const ingest = await ingestFile(db, { file });
    fs.rmSync(file);
    const id = ingest.trace_id;
    if (opts.replay) {
      log('replaying (per-device v5.17, domain-wide v6.9)…');
      await runReplayForTrace(db, id, { model: 'per-device', preset: 'v5.17' });
      await runReplayForTrace(db, id, { model: 'domain-wide', preset: 'v6.9' });
    }
    log('timing chart queries…');
    const queries = await chartQueries(db, id);
    db.close();
    await closeDbInstance(dbPath);

    log('timing pages on next start…');
    const server = await startServer({ dbPath });
    const pages: PageTiming[] = [];
    try {
      for (const p of [
        '/',
        `/traces/${id}`,
        `/traces/${id}/latency`,
        `/traces/${id}/replay`,
        `/traces/${id}/scaling`,
        `/traces/${id}/groups?sort=latency&dir=desc`,
        `/traces/${id}/groups/1`,
      ]) {
        await fetchPage(server.url + p, false);
        const plain = await fetchPage(server.url + p, false);
        const gz = await fetchPage(server.url + p, true);
        pages.push({ path: p, status: plain.status, ms: Math.round(plain.ms), bytes: plain.bytes, gzip_bytes: gz.bytes });
      }
    } finally {
      await server.stop();
      fs.rmSync(server.dir, { recursive: true, force: true });
    }
    return { events: ingest.events, groups: ingest.groups.total, file_bytes: fileBytes, ingest_s: ingest.seconds, queries, pages };
  } finally {
    await closeDbInstance(dbPath);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printReport(b: PageBench): void {
  const out = (l: string) => process.stdout.write(`${l}\n`);
  out(`trace: ${b.events} events, ${b.groups} groups, ${(b.file_bytes / 2 ** 20).toFixed(0)} MiB, ingest ${b.ingest_s.toFixed(1)} s`);
  out('page              query                    warm ms   points   JSON bytes');
  for (const q of b.queries) {
    out(`${q.page.padEnd(17)} ${q.query.padEnd(22)} ${String(q.ms).padStart(9)} ${String(q.points ?? '').padStart(8)} ${String(q.json_bytes).padStart(12)}`);
  }
  out('page                         status      ms      bytes   gzip bytes');
  for (const p of b.pages) {
    out(
      `${p.path.padEnd(28)} ${String(p.status).padStart(6)} ${String(p.ms).padStart(7)} ${String(p.bytes).padStart(10)} ${String(p.gzip_bytes).padStart(12)}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { groups: { type: 'string' }, replay: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const result = await benchPages({ groups: values.groups ? Number(values.groups) : undefined, replay: values.replay });
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printReport(result);
}
