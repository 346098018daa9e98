// One ftrace decode worker: reads its part of the file (a byte range cut at line starts, or
// the whole gunzipped stream) in large chunks, runs the pure decoder over it and posts
// columnar batches to the ingest (ftrace-ingest.ts), at most a few ahead of what the ingest
// has appended, so memory stays bounded whatever the file size. With gzip, zlib inflates on
// libuv's thread pool while this thread decodes the previous chunk.

import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import zlib from 'node:zlib';
import { batchTransferList, type EventBatch } from '../trace/event-batch.ts';
import type { PartSummary } from '../trace/event-rows.ts';
import { FtraceDecoder } from '../trace/formats/ftrace/decoder.ts';
import type { DecompressedCap } from '../db/limits.ts';

export interface WorkerJob {
  file: string;
  gzip: boolean;
  /** Byte range of the part (plain files); the gzip job reads the whole stream. */
  start: number;
  end: number;
  part: number;
  parts: number;
  maxLineBytes: number;
  /** Most gunzipped bytes the file may produce (db/limits.ts decompressedCap). */
  decompressedCap: DecompressedCap;
  keepBad: number;
}

export type WorkerMessage =
  | { type: 'batch'; batch: EventBatch; bytes: number }
  | { type: 'done'; summary: PartSummary; bytes: number }
  | { type: 'error'; kind: 'gzip' | 'bomb' | 'io'; message: string };

export type HostMessage = { type: 'ack' };

const READ_BYTES = 4 << 20;
/** Batches posted but not yet appended: bounds the memory a slow store lets pile up. */
const AHEAD = 4;

const job = workerData as WorkerJob;
const port = parentPort!;
let outstanding = 0;
let wake: (() => void) | null = null;
port.on('message', (m: HostMessage) => {
  if (m.type === 'ack') {
    outstanding--;
    wake?.();
    wake = null;
  }
});

let consumedBytes = 0;
/** Input bytes read so far, for progress: the range consumed, or the compressed bytes read. */
let inputBytes = () => consumedBytes;
const pending: EventBatch[] = [];
const decoder = new FtraceDecoder({
  part: job.part,
  parts: job.parts,
  maxLineBytes: job.maxLineBytes,
  keepBad: job.keepBad,
  emit: (b) => pending.push(b),
});

async function post(): Promise<void> {
  for (const batch of pending.splice(0)) {
    while (outstanding >= AHEAD) await new Promise<void>((r) => (wake = r));
    outstanding++;
    port.postMessage({ type: 'batch', batch, bytes: inputBytes() } satisfies WorkerMessage, batchTransferList(batch));
  }
}

/** A buffer that keeps an unconsumed line's bytes at its front while more input is added. */
class LineBuffer {
  buf = Buffer.allocUnsafe(job.maxLineBytes + READ_BYTES + 1);
  used = 0;

  async feed(data: Buffer, eof: boolean): Promise<void> {
    let off = 0;
    while (off < data.length || eof) {
      const n = Math.min(data.length - off, this.buf.length - this.used);
      data.copy(this.buf, this.used, off, off + n);
      this.used += n;
      off += n;
      const last = eof && off === data.length;
      const took = decoder.consume(this.buf, this.used, last);
      this.buf.copy(this.buf, 0, took, this.used);
      this.used -= took;
      consumedBytes += took;
      await post();
      if (last) return;
    }
  }
}

async function readRange(lines: LineBuffer): Promise<void> {
  const fd = fs.openSync(job.file, 'r');
  try {
    let pos = job.start;
    while (pos < job.end) {
      const room = lines.buf.length - lines.used;
      const n = fs.readSync(fd, lines.buf, lines.used, Math.min(room, job.end - pos), pos);
      if (n === 0) break;
      pos += n;
      lines.used += n;
      const took = decoder.consume(lines.buf, lines.used, pos >= job.end);
      lines.buf.copy(lines.buf, 0, took, lines.used);
      lines.used -= took;
      consumedBytes += took;
      await post();
    }
    if (lines.used > 0 || job.start === job.end) {
      decoder.consume(lines.buf, lines.used, true);
      await post();
    }
  } finally {
    fs.closeSync(fd);
  }
}

class Rejection extends Error {
  constructor(
    readonly kind: 'gzip' | 'bomb',
    message: string,
  ) {
    super(message);
  }
}

async function readGzip(lines: LineBuffer): Promise<void> {
  const raw = fs.createReadStream(job.file, { highWaterMark: 1 << 20 });
  const inflate = zlib.createGunzip({ chunkSize: 1 << 20 });
  const gunzip = raw.pipe(inflate);
  raw.on('error', (e) => gunzip.destroy(e));
  inputBytes = () => raw.bytesRead;
  let out = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      out += chunk.length;
      if (out > job.decompressedCap.bytes)
        throw new Rejection('bomb', `decompresses to more than ${job.decompressedCap.bytes} bytes (${job.decompressedCap.note})`);
      await lines.feed(chunk, false);
    }
    // zlib stops at zero padding after the last member without a word; the file is more than gzip.
    if (inflate.bytesWritten < fs.statSync(job.file).size) throw new Error('data after the end of the gzip stream');
  } catch (e) {
    if (e instanceof Rejection) throw e;
    throw new Rejection('gzip', `not a valid gzip file: ${(e as Error).message}`);
  } finally {
    gunzip.destroy();
  }
  await lines.feed(Buffer.alloc(0), true);
}

async function main(): Promise<void> {
  const lines = new LineBuffer();
  try {
    await (job.gzip ? readGzip(lines) : readRange(lines));
  } catch (e) {
    const kind = e instanceof Rejection ? e.kind : 'io';
    port.postMessage({ type: 'error', kind, message: (e as Error).message } satisfies WorkerMessage);
    return;
  }
  while (outstanding > 0) await new Promise<void>((r) => (wake = r));
  port.postMessage({ type: 'done', summary: decoder.summary(), bytes: inputBytes() } satisfies WorkerMessage);
  port.close();
}

await main();
