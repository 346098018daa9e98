// Reading trace files for the store: the head (for format detection), whether the bytes are
// gzip (by magic number, never by name), a streaming text/line source for the JS-parsed
// formats, and the SHA-256 of the file. Gunzipped output is capped so that a compression
// bomb is refused instead of filling memory or disk.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { TraceRejectedError } from '../core/errors.ts';
import type { DecompressedCap } from '../db/limits.ts';

export function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return fs.readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** The gunzipped bytes of the file, failing once more than maxBytes come out (the bomb guard); raw: the file's own bytes. */
function gunzipCapped(
  file: string,
  maxBytes: number,
  displayName: string,
  limitNote = 'limit PRITRACE_MAX_DECOMPRESSED_BYTES',
): { raw: fs.ReadStream; out: Readable } {
  const raw = fs.createReadStream(file);
  let out = 0;
  const gunzip = zlib.createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  const capped = raw.pipe(gunzip);
  capped.on('data', (chunk: Buffer) => {
    out += chunk.length;
    if (out > maxBytes) {
      capped.destroy(new TraceRejectedError(displayName, `decompresses to more than ${maxBytes} bytes (${limitNote})`));
    }
  });
  return { raw, out: capped };
}

export interface TextSource {
  stream: Readable;
  /** Bytes of the file read so far (compressed ones for gzip): progress. */
  bytesRead: () => number;
}

/** A text stream of the file, gunzipped if needed, failing once more than maxBytes come out. */
export function textSource(file: string, gzip: boolean, maxDecompressedBytes: number, displayName = file): TextSource {
  if (gzip) {
    const { raw, out } = gunzipCapped(file, maxDecompressedBytes, displayName);
    return { stream: out.setEncoding('utf8'), bytesRead: () => raw.bytesRead };
  }
  const raw = fs.createReadStream(file);
  return { stream: raw.setEncoding('utf8'), bytesRead: () => raw.bytesRead };
}

/** First lines of the file (at most ~64 KiB of text), for detection, without their line ends. */
export async function headLines(file: string, gzip: boolean, displayName = file): Promise<string[]> {
  const limit = 64 * 1024;
  let text = '';
  const stream = textSource(file, gzip, Number.MAX_SAFE_INTEGER, displayName).stream;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      text += chunk;
      if (text.length >= limit) break;
    }
  } catch (e) {
    throw new TraceRejectedError(displayName, `cannot read: ${(e as Error).message}`, [], { cause: e });
  } finally {
    stream.destroy();
  }
  const lines = text.split('\n');
  if (text.length >= limit) lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

export function lineStream(stream: Readable): AsyncIterable<string> {
  return readline.createInterface({ input: stream, crlfDelay: Infinity });
}

export interface FileScan {
  sha256: string;
}

/**
 * Everything that needs the whole file before a simulator ingest: its SHA-256, and for gzip
 * the bomb guard, checked by gunzipping with a cap before the parser reads it.
 */
export async function scanFile(file: string, gzip: boolean, cap: DecompressedCap, displayName = file): Promise<FileScan> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) hash.update(chunk);
  if (gzip) {
    try {
      // Only read to the end: the cap throws past it.
      for await (const chunk of gunzipCapped(file, cap.bytes, displayName, cap.note).out as AsyncIterable<Buffer>) void chunk;
    } catch (e) {
      if (e instanceof TraceRejectedError) throw e;
      throw new TraceRejectedError(displayName, `not a valid gzip file: ${(e as Error).message}`, [], { cause: e });
    }
  }
  return { sha256: hash.digest('hex') };
}

/** SHA-256 of the file's bytes as stored (compressed if gzip). */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}
