// Broken trace-cmd .dat files: each is rejected with a located reason (byte offset, section,
// CPU where it applies) and nothing is stored. The broken files are made here by cutting or
// patching the samples in traces/ at offsets read from their own layout.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TraceRejectedError } from '../../lib/core/errors.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { tempFile, TRACES_DIR, withTempDb } from '../helpers/temp-db.ts';

const sample = (name: string) => fs.readFileSync(path.join(TRACES_DIR, name));

async function rejects(bytes: Buffer, pattern: RegExp): Promise<void> {
  await withTempDb(async (db) => {
    const file = tempFile('broken.dat', bytes);
    await assert.rejects(ingestFile(db, { file }), (e: unknown) => {
      assert.ok(e instanceof TraceRejectedError, String(e));
      assert.match(e.message, pattern);
      return true;
    });
    const [n] = await db.all<{ t: bigint; e: bigint }>('SELECT (SELECT count(*) FROM traces) AS t, (SELECT count(*) FROM events) AS e');
    assert.deepEqual(n, { t: 0n, e: 0n });
  });
}

/** The u64 little-endian value at `at`. */
const u64 = (b: Buffer, at: number) => Number(b.readBigUInt64LE(at));

describe('broken .dat files are rejected with their location', () => {
  it('truncated: CPU data cut off', async () => {
    const b = sample('intel-v6.dat');
    // The last CPU's pages start at 16384 (page-aligned after the header); cut inside them.
    await rejects(b.subarray(0, 16384 + 100), /byte \d+, section flyrecord, CPU 2: CPU data 16384\+4096 runs past the end of the file \(16484 bytes\)/);
  });

  it('truncated inside the header', async () => {
    await rejects(sample('intel-v6.dat').subarray(0, 700), /byte \d+, section event formats: truncated/);
  });

  it('corrupt chunk size in zstd flyrecord data', async () => {
    const b = Buffer.from(sample('intel-v7-zstd.dat'));
    // CPU 0's data starts at 4096: u32 chunk count, then the first chunk's u32 compressed size.
    assert.equal(b.readUInt32LE(4096), 1);
    b.writeUInt32LE(0x7fff0000, 4100);
    await rejects(b, /byte 4100, section flyrecord, CPU 0: corrupt chunk size: a chunk of 2147418112 compressed bytes runs past the CPU data/);
  });

  it('corrupt zstd chunk contents', async () => {
    const b = Buffer.from(sample('intel-v7-zstd.dat'));
    b.fill(0x55, 4096 + 12 + 8, 4096 + 12 + 40);
    await rejects(b, /byte 4100, section flyrecord, CPU 0: zstd data does not decompress/);
  });

  it('unknown compression', async () => {
    const b = Buffer.from(sample('intel-v7-zstd.dat'));
    const at = b.indexOf('zstd\0');
    b.write('lzma', at, 'latin1');
    await rejects(b, new RegExp(`byte ${at}, section file header: unknown compression "lzma" \\(known: none, zstd, zlib\\)`));
  });

  it('section offset past the end', async () => {
    const b = Buffer.from(sample('intel-v7-none.dat'));
    // Header: 10 magic + "7\0" + endian + long size + u32 page size + "none\0" + version\0, then the u64 options offset.
    const at = b.indexOf(0, b.indexOf('none\0') + 5) + 1;
    assert.ok(u64(b, at) > 0 && u64(b, at) < b.length);
    b.writeBigUInt64LE(BigInt(b.length + 4096), at);
    await rejects(
      b,
      new RegExp(`byte ${b.length + 4096}, section OPTIONS: section offset ${b.length + 4096} is past the end of the file \\(${b.length} bytes\\)`),
    );
  });

  it('a format text that does not parse', async () => {
    const b = Buffer.from(sample('intel-v6.dat'));
    const at = b.indexOf('field:u64 dw0;\toffset:8;');
    b.write('field:u64 dw0;\toffset:X;', at, 'latin1');
    await rejects(b, /section event formats: format text does not parse: event prq_report: cannot read the field line "field:u64 dw0;\toffset:X;/);
  });

  it('a corrupt ring-buffer page (event longer than the page data)', async () => {
    const b = Buffer.from(sample('intel-v6.dat'));
    // CPU 0's first page at 8192: u64 timestamp, u64 commit; the first event header follows at 8208.
    const h = b.readUInt32LE(8208);
    b.writeUInt32LE((h & ~31) | 0, 8208);
    b.writeUInt32LE(0x10000, 8212);
    await rejects(b, /byte 8208, section flyrecord, CPU 0: corrupt ring-buffer page: event of \d+ bytes runs past the page data/);
  });
});
