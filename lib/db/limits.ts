// Ingest and query limits, each configurable through the environment and enforced with a clear
// message. Defaults suit a 2-core, 24 GiB machine and traces up to a few GB.

export interface IngestLimits {
  /** Fraction of non-header lines that may be bad before the whole file is rejected. */
  maxBadLineRatio: number;
  /** Longest line accepted, bytes; a longer line is a bad line, not a crash. */
  maxLineBytes: number;
  /** Gunzipped size cap for .gz input (compression-bomb guard), bytes. */
  maxDecompressedBytes: number;
  /** Most events one trace may hold. */
  maxEvents: number;
}

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

export function ingestLimits(overrides: Partial<IngestLimits> = {}): IngestLimits {
  return {
    maxBadLineRatio: overrides.maxBadLineRatio ?? envNumber('PRITRACE_MAX_BAD_LINE_RATIO', 0.01),
    maxLineBytes: overrides.maxLineBytes ?? envNumber('PRITRACE_MAX_LINE_BYTES', 1 << 20),
    maxDecompressedBytes: overrides.maxDecompressedBytes ?? envNumber('PRITRACE_MAX_DECOMPRESSED_BYTES', 20 * 2 ** 30),
    maxEvents: overrides.maxEvents ?? envNumber('PRITRACE_MAX_EVENTS', 500_000_000),
  };
}

/** Most a SQL console statement may run, ms: PRITRACE_SQL_TIMEOUT_MS, 1 to 300 000, default 5 000. */
export function sqlTimeoutMs(): number {
  const ms = envNumber('PRITRACE_SQL_TIMEOUT_MS', 5_000);
  if (ms < 1 || ms > 300_000) throw new Error(`PRITRACE_SQL_TIMEOUT_MS must be between 1 and 300000 (ms), got ${ms}`);
  return ms;
}

/**
 * SQL console statements running at once: PRITRACE_SQL_MAX_CONCURRENT, 1 to 16, default 2 (one
 * per core). More wait for a slot within their time limit, then get 429.
 */
export function sqlMaxConcurrent(): number {
  const n = envNumber('PRITRACE_SQL_MAX_CONCURRENT', 2);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`PRITRACE_SQL_MAX_CONCURRENT must be an integer between 1 and 16, got ${n}`);
  return n;
}
