// Ingest and query limits, each configurable through the environment and enforced with a clear
// message. Defaults suit a 2-core, 24 GiB machine and traces up to a few GB.

import { envNumber } from '../core/config.ts';

export interface IngestLimits {
  /** Fraction of non-header lines that may be bad before the whole file is rejected. */
  maxBadLineRatio: number;
  /** Longest line accepted, bytes; a longer line is a bad line, not a crash. */
  maxLineBytes: number;
  /** Gunzipped size cap for .gz input (compression-bomb guard), bytes, whatever the ratio allows. */
  maxDecompressedBytes: number;
  /**
   * Gunzipped size cap as a multiple of the compressed size (floor GZIP_RATIO_FLOOR_BYTES): a
   * 1 MB gzip of 1 GiB comment lines is refused after ~100 MB instead of holding the ingest
   * queue for minutes. Trace text compresses 5–30×.
   */
  maxGzipRatio: number;
  /** Most events one trace may hold. */
  maxEvents: number;
}

export function ingestLimits(overrides: Partial<IngestLimits> = {}): IngestLimits {
  return {
    maxBadLineRatio: overrides.maxBadLineRatio ?? envNumber('PRITRACE_MAX_BAD_LINE_RATIO', 0.01, 'non-negative'),
    maxLineBytes: overrides.maxLineBytes ?? envNumber('PRITRACE_MAX_LINE_BYTES', 1 << 20, 'non-negative'),
    maxDecompressedBytes: overrides.maxDecompressedBytes ?? envNumber('PRITRACE_MAX_DECOMPRESSED_BYTES', 20 * 2 ** 30, 'non-negative'),
    maxEvents: overrides.maxEvents ?? envNumber('PRITRACE_MAX_EVENTS', 500_000_000, 'non-negative'),
    maxGzipRatio: overrides.maxGzipRatio ?? envNumber('PRITRACE_MAX_GZIP_RATIO', 100, 'non-negative'),
  };
}

/** Below this, the ratio never refuses: a small gzip of very regular text is not a bomb. */
export const GZIP_RATIO_FLOOR_BYTES = 64 * 2 ** 20;

export interface DecompressedCap {
  bytes: number;
  /** Which limit it is, for the rejection message. */
  note: string;
}

/** How many gunzipped bytes a .gz file of compressedBytes may produce: the lower of the two limits. */
export function decompressedCap(limits: IngestLimits, compressedBytes: number): DecompressedCap {
  const byRatio = Math.max(GZIP_RATIO_FLOOR_BYTES, Math.ceil(limits.maxGzipRatio * compressedBytes));
  if (byRatio < limits.maxDecompressedBytes) {
    return { bytes: byRatio, note: `${limits.maxGzipRatio} times its ${compressedBytes} compressed bytes, limit PRITRACE_MAX_GZIP_RATIO` };
  }
  return { bytes: limits.maxDecompressedBytes, note: 'limit PRITRACE_MAX_DECOMPRESSED_BYTES' };
}

/** Most a SQL console statement may run, ms: PRITRACE_SQL_TIMEOUT_MS, 1 to 300 000, default 5 000. */
export function sqlTimeoutMs(): number {
  const ms = envNumber('PRITRACE_SQL_TIMEOUT_MS', 5_000, 'non-negative');
  if (ms < 1 || ms > 300_000) throw new Error(`PRITRACE_SQL_TIMEOUT_MS must be between 1 and 300000 (ms), got ${ms}`);
  return ms;
}

/**
 * SQL console statements running at once: PRITRACE_SQL_MAX_CONCURRENT, 1 to 16, default 1. One
 * scan already uses every DuckDB thread; with two, a page load took 1.4 s instead of 0.7 s on
 * the 2-core test box. More wait for a slot within their time limit, then get 429.
 */
export function sqlMaxConcurrent(): number {
  const n = envNumber('PRITRACE_SQL_MAX_CONCURRENT', 1, 'non-negative');
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`PRITRACE_SQL_MAX_CONCURRENT must be an integer between 1 and 16, got ${n}`);
  return n;
}
