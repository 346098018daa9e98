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

export function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return fs.readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** A text stream of the file, gunzipped if needed, failing once more than maxBytes come out. */
export function textStream(file: string, gzip: boolean, maxDecompressedBytes: number, displayName = file): Readable {
  const raw = fs.createReadStream(file);
  if (!gzip) return raw.setEncoding('utf8');
  let out = 0;
  const gunzip = zlib.createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  const capped = raw.pipe(gunzip);
  capped.on('data', (chunk: Buffer) => {
    out += chunk.length;
    if (out > maxDecompressedBytes) {
      capped.destroy(
        new TraceRejectedError(displayName, `decompresses to more than ${maxDecompressedBytes} bytes (limit PRITRACE_MAX_DECOMPRESSED_BYTES)`),
      );
    }
  });
  return capped.setEncoding('utf8');
}

export interface Head {
  lines: string[];
  /** A CRLF occurs in the head: the file is read in CRLF mode, in which DuckDB also ends lines at a bare LF. */
  crlf: boolean;
}

/** First lines of the file (at most ~64 KiB of text), for detection. */
export async function headLines(file: string, gzip: boolean, displayName = file): Promise<Head> {
  const limit = 64 * 1024;
  let text = '';
  const stream = textStream(file, gzip, Number.MAX_SAFE_INTEGER, displayName);
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
  const crlf = text.includes('\r\n');
  return { lines: lines.map((l) => l.replace(/\r$/, '')), crlf };
}

export function lineStream(stream: Readable): AsyncIterable<string> {
  return readline.createInterface({ input: stream, crlfDelay: Infinity });
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Bytes of the decompressed stream, counted by reading it (used to enforce the bomb guard for SQL-read files). */
export async function decompressedSizeWithin(file: string, maxBytes: number, displayName = file): Promise<void> {
  const stream = textStream(file, true, maxBytes, displayName);
  try {
    for await (const _ of stream) {
      // reading is the check: textStream fails once the cap is passed
    }
  } catch (e) {
    if (e instanceof TraceRejectedError) throw e;
    throw new TraceRejectedError(displayName, `not a valid gzip file: ${(e as Error).message}`, [], { cause: e });
  }
}
