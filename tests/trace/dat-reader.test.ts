// The .dat reader streams: it asks its ByteSource for bounded ranges (a window of pages or
// one compressed chunk at a time), reads each data byte about once, and reports progress by
// bytes; records come out merged by timestamp across CPUs with ties to the lower CPU.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ingestFile, type IngestProgress } from '../../lib/services/ingest.ts';
import { readDat } from '../../lib/trace/formats/dat/reader.ts';
import { memorySource, type ByteSource } from '../../lib/trace/formats/dat/source.ts';
import { writeDatV6, type FixtureRecord } from '../fixtures/dat/write-dat.ts';
import { tempDir, withTempDb } from '../helpers/temp-db.ts';

function records(n: number): FixtureRecord[] {
  const out: FixtureRecord[] = [];
  for (let i = 0; i < n; i++) {
    // Every 7th record shares its timestamp with the previous one on another CPU.
    const ts = 1_000_000_000n + BigInt(i - (i % 7 === 6 ? 1 : 0)) * 1000n;
    out.push({ cpu: i % 3, ts, pid: 1042, event: 'qi_submit', fields: { qw0: 0x100e2n + BigInt(i << 4), qw1: 0n, qw2: 0n, qw3: 0n, iommu: 'dmar0' } });
  }
  return out;
}

function counting(src: ByteSource) {
  const stats = { maxRead: 0, total: 0, reads: 0 };
  const wrapped: ByteSource = {
    size: src.size,
    async read(offset, length) {
      const b = await src.read(offset, length);
      stats.maxRead = Math.max(stats.maxRead, b.length);
      stats.total += b.length;
      stats.reads++;
      return b;
    },
  };
  return { wrapped, stats };
}

describe('.dat reader streaming', () => {
  const dir = tempDir();
  const v6 = path.join(dir, 'big.v6.dat');
  const zstd = path.join(dir, 'big.v7.dat');
  const recs = records(60_000);
  fs.writeFileSync(v6, writeDatV6(recs, { cpus: 3, cmdlines: [[1042, 'irq/56-dmar0-pr']] }));
  execFileSync('trace-cmd', ['convert', '-i', v6, '-o', zstd, '--file-version', '7', '--compression', 'zstd'], { stdio: 'pipe' });

  for (const [label, file, bound] of [
    ['v6, windows of 64 pages', v6, 64 * 4096],
    // The header is read through a 64 KiB window, larger than one 10-page chunk.
    ['v7 zstd, one chunk at a time', zstd, 65536],
  ] as const) {
    it(`${label}: bounded reads, each byte about once, merged order`, async () => {
      const bytes = new Uint8Array(fs.readFileSync(file));
      const { wrapped, stats } = counting(memorySource(bytes));
      let n = 0;
      let prev: { ts: bigint; cpu: number } | null = null;
      let lastDone = 0;
      let batch = { bytesDone: 0, bytesTotal: -1 };
      for await (const b of readDat(wrapped, { batchSize: 5000 })) {
        assert.ok(b.bytesDone >= lastDone);
        lastDone = b.bytesDone;
        batch = b;
        for (const r of b.rows) {
          n++;
          if (prev) assert.ok(r.tsNs! > prev.ts || (r.tsNs === prev.ts && r.cpu > prev.cpu), `order at record ${n}`);
          prev = { ts: r.tsNs!, cpu: r.cpu };
        }
      }
      assert.equal(n, recs.length);
      assert.equal(batch.bytesDone, batch.bytesTotal);
      assert.ok(stats.maxRead <= bound, `largest read ${stats.maxRead} > ${bound}`);
      assert.ok(stats.total < bytes.length * 1.1 + 65536, `read ${stats.total} bytes of a ${bytes.length}-byte file`);
      assert.ok(stats.reads >= 20, `only ${stats.reads} reads: the data should take many windows or chunks`);
    });
  }

  it('ingest reports decode progress by bytes, rising to 1', async () => {
    await withTempDb(async (db) => {
      const seen: IngestProgress[] = [];
      const r = await ingestFile(db, { file: zstd, onProgress: (p) => seen.push(p) });
      assert.equal(r.events, recs.length);
      const decode = seen.filter((p) => p.phase === 'decode').map((p) => p.fraction!);
      assert.ok(decode.length >= 3, `${decode.length} decode progress reports`);
      assert.ok(decode.every((f, i) => i === 0 || f >= decode[i - 1]!));
      assert.equal(decode.at(-1), 1);
    });
  });
});
