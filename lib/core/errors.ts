// The typed errors of the project. Each carries where (file, line, column) or what
// (query, parameter) and why, and keeps its cause; the edges map them, each in one place — HTTP
// statuses in app/api/_http.ts (errorResponse), CLI exit codes in lib/cli/describe-error.ts —
// and nothing in between swallows them. Errors private to one module never reach an edge: the
// .dat reader's DatFormatError (and the FormatTextError it wraps) becomes a TraceRejectedError
// with its byte offset in services/dat-ingest.ts, the ftrace worker's Rejection a message its
// host turns into one.

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

/** A capped kind of work (core/slots.ts) is full: retry shortly. */
export class SlotsBusyError extends Error {
  override readonly name = 'SlotsBusyError';
  static override [Symbol.hasInstance] = sameKind('SlotsBusyError');
  constructor(
    readonly what: string,
    readonly limit: number,
  ) {
    super(`too many ${what} at once (at most ${limit}); try again shortly`);
  }
}

/** A request the guard refuses before a page or route sees it (lib/http/request-guard.ts), with its status. */
export class RequestRefusedError extends Error {
  override readonly name = 'RequestRefusedError';
  static override [Symbol.hasInstance] = sameKind('RequestRefusedError');
  constructor(
    readonly status: 400 | 403 | 405 | 413 | 415 | 421,
    message: string,
    readonly limitBytes?: number,
  ) {
    super(message);
  }
}

/** An upload bigger than PRITRACE_MAX_UPLOAD_BYTES (HTTP 413). */
export class UploadTooLargeError extends Error {
  override readonly name = 'UploadTooLargeError';
  static override [Symbol.hasInstance] = sameKind('UploadTooLargeError');
  constructor(readonly limitBytes: number) {
    super(`upload exceeds the limit of ${limitBytes} bytes (PRITRACE_MAX_UPLOAD_BYTES)`);
  }
}

/** An upload whose body stopped arriving for UPLOAD_IDLE_MS (HTTP 408). */
export class UploadStalledError extends Error {
  override readonly name = 'UploadStalledError';
  static override [Symbol.hasInstance] = sameKind('UploadStalledError');
  constructor(readonly idleMs: number) {
    super(`the upload sent nothing for ${idleMs / 1000} s and was dropped`);
  }
}

/** Why a statement was refused; part of the error so the page can say which rule it broke. */
export type RefusedClass =
  | 'empty'
  | 'too-long'
  | 'multiple-statements'
  | 'write'
  | 'copy'
  | 'attach'
  | 'export'
  | 'extension'
  | 'configuration'
  | 'call'
  | 'not-a-select'
  | 'file-access'
  | 'table-function'
  | 'table'
  | 'function'
  | 'size';

/** A console statement refused before DuckDB binds it (services/sql-console.ts). */
export class SqlRefusedError extends Error {
  override readonly name = 'SqlRefusedError';
  static override [Symbol.hasInstance] = sameKind('SqlRefusedError');
  constructor(
    readonly refused: RefusedClass,
    message: string,
  ) {
    super(`refused (${refused}): ${message}`);
  }
}

/** A console statement interrupted at its time limit. */
export class SqlTimeoutError extends Error {
  override readonly name = 'SqlTimeoutError';
  static override [Symbol.hasInstance] = sameKind('SqlTimeoutError');
  constructor(
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      `the statement ran longer than the console's limit of ${timeoutMs} ms and was interrupted; the limit is the server's PRITRACE_SQL_TIMEOUT_MS (up to 300000): start the server with it set higher, or narrow the statement`,
      options,
    );
  }
}

/** Every console slot is taken (and the queue full, or no slot freed within the time limit). Retryable. */
export class SqlBusyError extends Error {
  override readonly name = 'SqlBusyError';
  static override [Symbol.hasInstance] = sameKind('SqlBusyError');
  constructor(
    readonly limit: number,
    options?: { cause?: unknown },
  ) {
    super(`${limit} console statement${limit === 1 ? ' is' : 's are'} already running; try again shortly`, options);
  }
}

/** An annotation's input fields (AnnotationInput in lib/db/annotations.ts), or its range as a whole. */
export type AnnotationField = 'trace_id' | 'start_ns' | 'end_ns' | 'device' | 'pasid' | 'author' | 'text' | 'range';

/** A note that breaks a rule; `field` names the input field so a form can point at it. */
export class InvalidAnnotationError extends Error {
  override readonly name = 'InvalidAnnotationError';
  static override [Symbol.hasInstance] = sameKind('InvalidAnnotationError');
  constructor(
    readonly field: AnnotationField,
    readonly reason: string,
  ) {
    super(`annotation ${field}: ${reason}`);
  }
}

/** A saved view's name or URL that breaks a rule (lib/db/saved-views.ts). */
export class InvalidSavedViewError extends Error {
  override readonly name = 'InvalidSavedViewError';
  static override [Symbol.hasInstance] = sameKind('InvalidSavedViewError');
  constructor(
    readonly field: 'name' | 'url',
    readonly reason: string,
  ) {
    super(`saved view ${field}: ${reason}`);
  }
}

/** A trace name that breaks a rule, or one another trace has (lib/db/trace-admin.ts). */
export class TraceNameError extends Error {
  override readonly name = 'TraceNameError';
  static override [Symbol.hasInstance] = sameKind('TraceNameError');
  constructor(
    readonly reason: string,
    /** True when the name is valid but another trace has it (HTTP 409). */
    readonly taken = false,
  ) {
    super(`trace name: ${reason}`);
  }
}
