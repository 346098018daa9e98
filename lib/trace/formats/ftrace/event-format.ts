// The shape of one ftrace event decoder. Each module under formats/ftrace/ defines one
// tracepoint's message once: which lines it owns, a RE2 pattern the message must match, and
// SQL expressions over the message for the normalised columns. The store runs them in DuckDB
// (the measured fastest path); nothing decodes these messages anywhere else.
// Measured: RE2 with capture groups costs ~5× a capture-free match, so a pattern only
// validates the message (DFA speed) and the fields are cut out with string functions.

import type { DecodedColumn } from '../../schema.ts';

export interface FtraceEventFormat {
  /** Short id, used in SQL aliases. */
  id: string;
  /** What it decodes, for people (README, error messages). */
  describes: string;
  /** Event names this decoder owns. */
  events: readonly string[];
  /** Extra SQL predicate over `msg` that must hold for this decoder to own the line. */
  when?: string;
  /** RE2 pattern the message (the text after `event: `) must match, anchored at its start. */
  pattern: string;
  /** SQL over `msg` for each decoded column; absent columns are NULL. */
  columns: Partial<Record<DecodedColumn, string>>;
  /** SQL boolean: the values are in range (checked only when the pattern matched). */
  valid: string;
  /** Reason reported when `valid` is false. */
  invalid: string;
}

export const HEX = '0x[0-9a-fA-F]{1,16}';
export const NUM = `(?:${HEX}|[0-9]{1,20})`;

/** SQL: the value after ` name=` (or at the start, `name=`) in msg, up to the next space. */
export function kv(name: string): string {
  return `split_part(split_part(' ' || msg, ' ${name}=', 2), ' ', 1)`;
}

/** SQL: the n-th space-separated field of msg (1-based). */
export function field(n: number): string {
  return `split_part(msg, ' ', ${n})`;
}

/** SQL: a number that may be 0x-hex or decimal, as UBIGINT; NULL when it does not fit. */
export function num(expr: string): string {
  return `TRY_CAST(${expr} AS UBIGINT)`;
}

/** SQL: bits [lo, lo+width) of a UBIGINT expression, as BIGINT. */
export function bits(expr: string, lo: number, width: number): string {
  const mask = (1n << BigInt(width)) - 1n;
  return `CAST((${expr} >> ${lo}) & ${mask}::UBIGINT AS BIGINT)`;
}
