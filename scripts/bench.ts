// `npm run bench`: the speed and memory figures the issues name, printed, never asserted.
//  1. ingest: a generated ≥ 5 M-line Intel ftrace file (simulated traffic, v6.9 format),
//     end to end (detect + hash + decode + store + pairing + commit): MB/s, lines/s, peak RSS,
//     against DuckDB alone scanning the same file as bare lines (read_csv, one VARCHAR column).
//  2. dat: trace-cmd .dat ingest (v6 and v7 zstd) beside the text ingest of trace-cmd's report
//     of the same file (scripts/bench-dat.ts); `--dat-events N` changes the size.
//  3. replay: groups/s per model and a full PASID sweep (scripts/bench-replay.ts).
//  4. whatif: 1 M groups, 2 sides × 8 seeds on worker threads (scripts/bench-whatif.ts).
//  5. lake: bytes per million events against the DuckDB file, publish time, fleet query over
//     100 published traces (scripts/bench-lake.ts).
// Ingest runs in a child process so its peak RSS is its own. `--lines N` changes the size.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeDbInstance, openDb } from '../lib/db/instance.ts';
import { ingestFile } from '../lib/db/ingest.ts';
import { readLinesSql } from '../lib/trace/formats/ftrace/decode-sql.ts';
import { simulate, writeIntelFtrace } from '../lib/sim/index.ts';
import { benchLake } from './bench-lake.ts';
import { benchDat } from './bench-dat.ts';
import { benchReplay } from './bench-replay.ts';
import { benchWhatif } from './bench-whatif.ts';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '5000000' }, 'dat-events': { type: 'string', default: '1000000' }, child: { type: 'string' }, db: { type: 'string' }, skip: { type: 'string', default: '' } },
});
const work = path.resolve(import.meta.dirname, '..', 'bench-out');

async function ingestChild(file: string, dbPath: string): Promise<void> {
  const db = await openDb(dbPath);
  const t = performance.now();
  const phases: Record<string, number> = {};
  let phase = 'detect';
  let since = t;
  const r = await ingestFile(db, {
    file,
    onProgress: (p) => {
      if (p.phase === phase) return;
      const now = performance.now();
      phases[phase] = (now - since) / 1000;
      phase = p.phase;
      since = now;
    },
  });
  phases[phase] = (performance.now() - since) / 1000;
  db.close();
  await closeDbInstance(dbPath);
  const seconds = (performance.now() - t) / 1000;
  process.stdout.write(JSON.stringify({ seconds, events: r.events, lines: r.lines, groups: r.groups.total, phases, maxRssKiB: process.resourceUsage().maxRSS }));
}

function generate(file: string, targetLines: number): number {
  // Each group is ~2 requests + 1 response, so groups ≈ lines / 3.
  const sim = simulate({ seed: 7, groups: Math.ceil(targetLines / 3), iommus: 2, devicesPerIommu: 4, pasidsPerDevice: 16, preset: 'v6.9' });
  const fd = fs.openSync(file, 'w');
  let pending: string[] = [];
  let size = 0;
  writeIntelFtrace(sim.events, (c) => {
    pending.push(c);
    size += c.length;
    if (size > 8 << 20) {
      fs.writeSync(fd, pending.join(''));
      pending = [];
      size = 0;
    }
  });
  fs.writeSync(fd, pending.join(''));
  fs.closeSync(fd);
  return sim.events.count;
}

async function bareScanSeconds(file: string): Promise<number> {
  const dbPath = path.join(work, 'scan.duckdb');
  fs.rmSync(dbPath, { force: true });
  const db = await openDb(dbPath);
  const t = performance.now();
  await db.all(`SELECT count(*) AS n FROM ${readLinesSql({ maxLineBytes: 1 << 20, gzip: false, crlf: false }, 'scan_rejects', 'scan_scans')}`, [file]);
  const s = (performance.now() - t) / 1000;
  db.close();
  await closeDbInstance(dbPath);
  return s;
}

async function main(): Promise<void> {
  if (values.child) return ingestChild(values.child, values.db!);
  fs.mkdirSync(work, { recursive: true });
  const skip = new Set(values.skip.split(',').filter(Boolean));
  process.stdout.write(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);

  if (!skip.has('ingest')) {
    const lines = Number(values.lines);
    const file = path.join(work, `intel-${lines}.trace`);
    let t = performance.now();
    if (!fs.existsSync(file)) {
      const events = generate(file, lines);
      process.stdout.write(`generated ${file}: ${events} events in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    }
    const bytes = fs.statSync(file).size;
    const fileLines = Number(spawnSync('wc', ['-l', file], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0]);
    const scan = await bareScanSeconds(file);
    const dbPath = path.join(work, 'ingest.duckdb');
    fs.rmSync(dbPath, { force: true });
    fs.rmSync(`${dbPath}.wal`, { force: true });
    t = performance.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', file, '--db', dbPath], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (child.status !== 0) throw new Error(`ingest child failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout) as { seconds: number; events: number; lines: number; groups: number; phases: Record<string, number>; maxRssKiB: number };
    const mb = bytes / 1e6;
    process.stdout.write(
      [
        `ingest: ${fileLines} lines, ${mb.toFixed(0)} MB → ${r.events} events, ${r.groups} groups`,
        `  end to end ${r.seconds.toFixed(2)} s: ${(mb / r.seconds).toFixed(1)} MB/s, ${Math.round(fileLines / r.seconds)} lines/s (target ≥ 100 MB/s)`,
        `  phases (s): ${Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`,
        `  DuckDB bare line scan: ${scan.toFixed(2)} s (${(mb / scan).toFixed(0)} MB/s); ingest / scan = ${(r.seconds / scan).toFixed(2)}× (target ≤ 2×)`,
        `  peak RSS of the ingest process: ${(r.maxRssKiB / 1024).toFixed(0)} MiB for ${mb.toFixed(0)} MB (target ≤ 600 MB for 1 GB)`,
      ].join('\n') + '\n',
    );
  }

  if (!skip.has('dat')) {
    const dbPath = path.join(work, 'dat.duckdb');
    const ingest = (file: string) => {
      fs.rmSync(dbPath, { force: true });
      fs.rmSync(`${dbPath}.wal`, { force: true });
      const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', file, '--db', dbPath], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (child.status !== 0) throw new Error(`ingest child failed: ${child.stderr}`);
      return JSON.parse(child.stdout) as { seconds: number; events: number; maxRssKiB: number };
    };
    process.stdout.write(benchDat(work, Number(values['dat-events']), ingest));
  }

  if (!skip.has('replay')) {
    const rep = await benchReplay();
    process.stdout.write(`replay:\n${Object.entries(rep).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
  }

  if (!skip.has('whatif')) {
    const w = await benchWhatif();
    process.stdout.write(`whatif:\n${Object.entries(w).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
  }

  if (!skip.has('lake')) {
    const lake = await benchLake(work);
    process.stdout.write(`lake:\n${Object.entries(lake).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
  }
}

await main();
