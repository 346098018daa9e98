// `npm run bench` part 3: trace-cmd .dat ingest against text ingest of the same events. The
// fixture writer makes a v6 file of `events` Intel PRI records (request pairs + responses on
// 4 CPUs); trace-cmd converts it to v7 zstd (its default) and prints the report text; each
// file is ingested end to end in a child process (the caller's `ingestChild`).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeDatV6, type FixtureRecord } from '../tests/fixtures/dat/write-dat.ts';

export interface ChildResult {
  seconds: number;
  events: number;
  maxRssKiB: number;
}

function records(n: number): FixtureRecord[] {
  const out: FixtureRecord[] = [];
  let ts = 1_000_000_000_000n;
  for (let i = 0; out.length < n; i++) {
    const pasid = BigInt(1 + (i % 64));
    const idx = BigInt(i % 512);
    const rid = 0x50n + BigInt(i % 8) * 8n;
    const dw0 = (pasid << 32n) | (rid << 16n) | 0x101n;
    const page = 0x7f0000000n + BigInt(i);
    ts += 1700n;
    out.push({
      cpu: i % 4,
      ts,
      pid: 1042,
      event: 'prq_report',
      fields: { dw0, dw1: (page << 12n) | (idx << 3n) | 1n, dw2: 0n, dw3: 0n, seq: 2 * i, iommu: 'dmar0', dev: '0000:00:0a.0', buff: '' },
    });
    ts += 900n;
    out.push({
      cpu: i % 4,
      ts,
      pid: 1042,
      event: 'prq_report',
      fields: { dw0, dw1: ((page + 1n) << 12n) | (idx << 3n) | 7n, dw2: 0n, dw3: 0n, seq: 2 * i + 1, iommu: 'dmar0', dev: '0000:00:0a.0', buff: '' },
    });
    ts += 6100n;
    out.push({
      cpu: (i + 2) % 4,
      ts,
      pid: 2215,
      event: 'qi_submit',
      fields: { qw0: (pasid << 32n) | (rid << 16n) | 0x19n, qw1: (idx << 3n) | 4n, qw2: 0n, qw3: 0n, iommu: 'dmar0' },
    });
  }
  return out.slice(0, n);
}

export function benchDat(work: string, events: number, ingest: (file: string) => ChildResult): string {
  const v6 = path.join(work, `intel-${events}.v6.dat`);
  const zstd = path.join(work, `intel-${events}.v7-zstd.dat`);
  const text = path.join(work, `intel-${events}.report.txt`);
  if (!fs.existsSync(text)) {
    fs.writeFileSync(
      v6,
      writeDatV6(records(events), {
        cpus: 4,
        cmdlines: [
          [1042, 'irq/56-dmar0-pr'],
          [2215, 'kworker/u16:3'],
        ],
        clock: 'local',
      }),
    );
    execFileSync('trace-cmd', ['convert', '-i', v6, '-o', zstd, '--file-version', '7', '--compression', 'zstd'], { stdio: 'pipe' });
    const fd = fs.openSync(text, 'w');
    execFileSync('trace-cmd', ['report', '-i', v6], { stdio: ['ignore', fd, 'pipe'] });
    fs.closeSync(fd);
  }
  const lines: string[] = [`dat ingest (${events} events; trace-cmd report text of the same file beside it):`];
  for (const [label, file] of [
    ['v6 .dat (uncompressed)', v6],
    ['v7 .dat (zstd, trace-cmd convert)', zstd],
    ['trace-cmd report text', text],
  ] as const) {
    const mb = fs.statSync(file).size / 1e6;
    const r = ingest(file);
    lines.push(
      `  ${label}: ${mb.toFixed(1)} MB → ${r.events} events in ${r.seconds.toFixed(2)} s: ${(mb / r.seconds).toFixed(1)} MB/s, ${Math.round(r.events / r.seconds)} events/s, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB`,
    );
  }
  return lines.join('\n') + '\n';
}
