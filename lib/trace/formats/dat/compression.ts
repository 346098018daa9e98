// Decompressors for trace.dat v7 sections and flyrecord chunks, by the name the file header
// gives: zstd through a WASM build of libzstd (Node 20 has no zstd), zlib (RFC 1950 streams,
// what trace-cmd's zlib plugin writes) through node:zlib. Both are pure computations.

import zlib from 'node:zlib';
import { init as zstdInit, decompress as zstdDecompress } from '@bokuweb/zstd-wasm';

export interface Codec {
  readonly name: string;
  /** Decompresses one block that must yield exactly `size` bytes; throws with zlib/zstd's reason. */
  decompress(data: Uint8Array, size: number): Uint8Array;
}

let zstdReady: Promise<void> | null = null;

const zstd: Codec = {
  name: 'zstd',
  decompress(data, size) {
    return zstdDecompress(data, { defaultHeapSize: Math.max(size, 1) });
  },
};

const zlibCodec: Codec = {
  name: 'zlib',
  decompress(data, size) {
    return zlib.inflateSync(data, { maxOutputLength: Math.max(size, 1) });
  },
};

/** The codec for a file header's compression name; null for "none"; undefined when unknown. */
export async function codecFor(name: string): Promise<Codec | null | undefined> {
  if (name === 'none') return null;
  if (name === 'zlib') return zlibCodec;
  if (name === 'zstd') {
    zstdReady ??= zstdInit();
    await zstdReady;
    return zstd;
  }
  return undefined;
}
