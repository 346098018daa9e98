// The few typed errors of the project. Each carries where (file, line, column) or what
// (query, parameter) and why, and keeps its cause; the edges (CLI exit codes, HTTP statuses,
// error pages) map them, nothing in between swallows them.

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Text safe to print on one terminal line: control and non-ASCII characters escaped. */
export function printable(text: string, max = 160): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[^\x20-\x7e…]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Characters that must never reach a terminal or a page as themselves: C0 and C1 controls
 * (NUL, newline, ESC and the one-byte CSI \x9b start terminal sequences), line and paragraph
 * separators, and the bidirectional controls that make "exe.txt" display as "txt.exe".
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const UNSAFE_CHARACTERS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A name (file, trace, device) with its control characters escaped: safe in one-line messages and on pages. */
export function withoutControls(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Next builds this module into each server chunk group, while the database holder
 * (db/instance.ts) is one per process, shared through globalThis: an error made with one copy's
 * class reaches a route that checks against another copy's, and `instanceof` by class identity
 * says no (seen as a rare 500 instead of 503 for a busy database, when a page and an upload
 * opened the database at the same moment). So `instanceof` matches the name every class here
 * sets as a literal, which survives bundling and minifying.
 */
function sameKind(name: string): (x: unknown) => boolean {
  return (x) => x instanceof Error && x.name === name;
}

export class TraceParseError extends Error {
  override readonly name = 'TraceParseError';
  static override [Symbol.hasInstance] = sameKind('TraceParseError');
  constructor(
    readonly location: SourceLocation,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${location.file}:${location.line}:${location.column}: ${reason}`, options);
  }
}

/** A whole file rejected: wrong format, too many bad lines, over a limit. */
export class TraceRejectedError extends Error {
  override readonly name = 'TraceRejectedError';
  static override [Symbol.hasInstance] = sameKind('TraceRejectedError');
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly locations: readonly TraceParseError[] = [],
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}` + (locations.length ? `; first bad lines: ${locations.map((l) => l.message).join('; ')}` : ''), options);
  }
}

export class QueryError extends Error {
  override readonly name = 'QueryError';
  static override [Symbol.hasInstance] = sameKind('QueryError');
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  static override [Symbol.hasInstance] = sameKind('NotFoundError');
}

export class ReplayConfigError extends Error {
  override readonly name = 'ReplayConfigError';
  static override [Symbol.hasInstance] = sameKind('ReplayConfigError');
  constructor(
    readonly parameter: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${parameter}: ${reason}`, options);
  }
}

/** The database file is held by another process (DuckDB allows one). Retryable. */
export class DatabaseBusyError extends Error {
  override readonly name = 'DatabaseBusyError';
  static override [Symbol.hasInstance] = sameKind('DatabaseBusyError');
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`database ${path} is in use by another process`, options);
  }
}

/** A Parquet lake this code must not read or write: a newer schema major, a missing folder. */
export class LakeVersionError extends Error {
  override readonly name = 'LakeVersionError';
  static override [Symbol.hasInstance] = sameKind('LakeVersionError');
  constructor(
    readonly lake: string,
    reason: string,
  ) {
    super(`${lake}: ${reason}`);
  }
}

/** A write asked of a dashboard that serves a lake read-only. */
export class ReadOnlyLakeError extends Error {
  override readonly name = 'ReadOnlyLakeError';
  static override [Symbol.hasInstance] = sameKind('ReadOnlyLakeError');
  constructor(what: string) {
    super(`${what}: this dashboard serves a Parquet lake read-only (PRITRACE_LAKE_ONLY); publish from a dashboard or CLI with a database`);
  }
}

export class CliError extends Error {
  override readonly name = 'CliError';
  static override [Symbol.hasInstance] = sameKind('CliError');
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
