// `npm run bench`: the speed and memory figures the issues name, printed, never asserted.
//  1. ingest: a generated ≥ 5 M-line Intel ftrace file (simulated traffic, v6.9 format),
//     end to end as users run it (`bin/pritrace ingest`, process wall time: detect + hash +
//     decode + store + pairing + commit), beside the yardstick a kernel engineer writes
//     (`../shared/bench/py_pair.py`, Python regex + dict pairing) on the same file, same run;
//     then a .gz of the file and a 1 M-row simulator CSV through the same CLI.
//  2. dat: trace-cmd .dat ingest (v6 and v7 zstd) beside the text ingest of trace-cmd's report
//     of the same file (scripts/bench-dat.ts); `--dat-events N` changes the size.
//  3. replay: groups/s per model and a full PASID sweep (scripts/bench-replay.ts).
//  4. whatif: 1 M groups, 2 sides × 8 seeds on worker threads (scripts/bench-whatif.ts).
//  5. lake: bytes per million events against the DuckDB file, publish time, fleet query over
//     100 published traces (scripts/bench-lake.ts).
// Each run is its own process under /usr/bin/time, so wall, CPU seconds and peak RSS are its
// own. The machine is shared: the load average is printed beside the figures.
// `--lines N` changes the size, `--skip ingest,dat,replay,lake` leaves parts out.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { simulate, writeIntelFtrace, writeSimCsv } from '../lib/sim/index.ts';
import { benchDat } from './bench-dat.ts';
import { benchLake } from './bench-lake.ts';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '5000000' }, 'dat-events': { type: 'string', default: '1000000' }, skip: { type: 'string', default: '' } },
});
const root = path.resolve(import.meta.dirname, '..');
const work = path.join(root, 'bench-out');
const YARDSTICK = path.resolve(root, '..', 'shared', 'bench', 'py_pair.py');

function writeFile(file: string, write: (emit: (c: string) => void) => void): void {
  const fd = fs.openSync(file, 'w');
  let pending: string[] = [];
  let size = 0;
  write((c) => {
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
}

function generateFtrace(file: string, targetLines: number): void {
  // Each group is ~2 requests + 1 response, so groups ≈ lines / 3.
  const sim = simulate({ seed: 7, groups: Math.ceil(targetLines / 3), iommus: 2, devicesPerIommu: 4, pasidsPerDevice: 16, preset: 'v6.9' });
  writeFile(file, (emit) => writeIntelFtrace(sim.events, emit));
}

function generateCsv(file: string, rows: number): void {
  const sim = simulate({ seed: 11, groups: Math.ceil(rows / 3), iommus: 2, devicesPerIommu: 4, pasidsPerDevice: 16, preset: 'v6.9' });
  writeFile(file, (emit) => writeSimCsv(sim.events, emit));
}

interface Timed {
  wall: number;
  cpu: number;
  rssMiB: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time -v: wall seconds, user+sys CPU seconds, peak RSS. */
function timed(cmd: string, args: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, cwd: root });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const field = (name: string) => r.stderr.match(new RegExp(`${name}: ([^\\n]+)`))?.[1]?.trim() ?? '';
  const clock = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)').split(':').map(Number);
  const wall = clock.reduce((a, v) => a * 60 + v, 0);
  return {
    wall,
    cpu: Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)')),
    rssMiB: Number(field('Maximum resident set size \\(kbytes\\)')) / 1024,
    stdout: r.stdout,
  };
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function ingest(file: string): Timed & { events: number; groups: number } {
  const db = path.join(work, 'ingest.duckdb');
  for (const f of [db, `${db}.wal`]) fs.rmSync(f, { force: true });
  const t = timed(path.join(root, 'bin', 'pritrace'), ['ingest', file, '--db', db, '--json']);
  const r = JSON.parse(t.stdout) as { events: number; groups: { total: number } };
  return { ...t, events: r.events, groups: r.groups.total };
}

function line(label: string, t: Timed, mb: number): string {
  return `${label}: ${t.wall.toFixed(2)} s wall, ${(mb / t.wall).toFixed(1)} MB/s, ${t.cpu.toFixed(1)} CPU-s, peak RSS ${t.rssMiB.toFixed(0)} MiB (${((t.rssMiB * 1.048576) / (mb / 1000)).toFixed(0)} MB per GB)`;
}

async function main(): Promise<void> {
  fs.mkdirSync(work, { recursive: true });
  const skip = new Set(values.skip.split(',').filter(Boolean));
  process.stdout.write(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);

  if (!skip.has('ingest')) {
    const lines = Number(values.lines);
    const file = path.join(work, `intel-${lines}.trace`);
    if (!fs.existsSync(file)) generateFtrace(file, lines);
    const gz = `${file}.gz`;
    if (!fs.existsSync(gz)) spawnSync('sh', ['-c', `gzip -1 -c '${file}' > '${gz}'`]);
    const csv = path.join(work, 'sim-1000000.csv');
    if (!fs.existsSync(csv)) generateCsv(csv, 1_000_000);
    const mb = fs.statSync(file).size / 1e6;
    const fileLines = Number(spawnSync('wc', ['-l', file], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0]);
    process.stdout.write(`ingest: ${file}: ${fileLines} lines, ${mb.toFixed(0)} MB\n`);

    const loadBefore = load();
    const py = timed('python3', [YARDSTICK, file]);
    const ours = ingest(file);
    process.stdout.write(
      [
        `  load average before: ${loadBefore}; after: ${load()}`,
        `  ${line('yardstick py_pair.py', py, mb)}`,
        `    ${py.stdout.trim()}`,
        `  ${line('pritrace ingest', ours, mb)}`,
        `    ${ours.events} events, ${ours.groups} groups`,
        `  ratio: pritrace is ${(py.wall / ours.wall).toFixed(2)}× the yardstick's speed (target ≥ 3×); ${(mb / ours.wall).toFixed(0)} MB/s (target ≥ 200); ` +
          `peak RSS ${(ours.rssMiB * 1.048576).toFixed(0)} MB for ${mb.toFixed(0)} MB of trace (target ≤ 600 MB for 1 GB, whatever the size: most of it is fixed, DuckDB's buffer pool and three V8 heaps)`,
      ].join('\n') + '\n',
    );

    const gzRun = ingest(gz);
    process.stdout.write(
      `  ${line(`pritrace ingest .gz (${(fs.statSync(gz).size / 1e6).toFixed(0)} MB compressed; MB/s of the text)`, gzRun, mb)}; load ${load()}\n`,
    );
    const csvMb = fs.statSync(csv).size / 1e6;
    const csvRun = ingest(csv);
    process.stdout.write(
      `  ${line(`pritrace ingest simulator CSV (1 M rows, ${csvMb.toFixed(0)} MB)`, csvRun, csvMb)}; ${csvRun.events} events; load ${load()}\n`,
    );
  }

  if (!skip.has('dat')) {
    const datIngest = (file: string) => {
      const r = ingest(file);
      return { seconds: r.wall, events: r.events, maxRssKiB: r.rssMiB * 1024 };
    };
    process.stdout.write(benchDat(work, Number(values['dat-events']), datIngest));
  }

  // Replay and what-if each in a process of their own, as `pritrace replay` / `whatif` run:
  // in this one, after the ingest and .dat parts, a larger old heap made the same replays
  // ~15 % slower and the one-thread sweep 36.6 s instead of 30.0 s (measured 2026-12-07).
  for (const [part, script] of [
    ['replay', 'bench-replay.ts'],
    ['whatif', 'bench-whatif.ts'],
  ] as const) {
    if (skip.has(part)) continue;
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', script)], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr.slice(-2000)}`);
    process.stdout.write(`${part}:\n${r.stdout.trimEnd().replace(/^/gm, '  ')}\n`);
  }

  if (!skip.has('lake')) {
    const lake = await benchLake(work);
    process.stdout.write(
      `lake:\n${Object.entries(lake)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}\n`,
    );
  }
}

await main();
