// The shape of one ftrace event decoder. Each module under formats/ftrace/ defines one
// tracepoint's message once: which lines it owns, a RE2 pattern with named captures, and SQL
// expressions over those captures for the normalised columns. The store runs them in DuckDB
// (the measured fastest path); nothing decodes these messages anywhere else.

import type { DecodedColumn } from '../../schema.ts';

export interface FtraceEventFormat {
  /** Short id, used as the SQL alias of this decoder's capture struct. */
  id: string;
  /** What it decodes, for people (README, error messages). */
  describes: string;
  /** Event names this decoder owns. */
  events: readonly string[];
  /** Extra SQL predicate over `msg` that must hold for this decoder to own the line. */
  when?: string;
  /** RE2 pattern applied to the message (the text after `event: `). */
  pattern: string;
  /** Capture names, in pattern order. The first must be non-empty whenever the pattern matched. */
  captures: readonly string[];
  /** SQL over `<id>.<capture>` for each decoded column; absent columns are NULL. */
  columns: Partial<Record<DecodedColumn, string>>;
  /** SQL boolean: the captured values are in range (checked only when the pattern matched). */
  valid: string;
  /** Reason reported when `valid` is false. */
  invalid: string;
}

export const HEX = '0x[0-9a-fA-F]{1,16}';
export const NUM = `(?:${HEX}|[0-9]{1,20})`;

/** SQL: TRY_CAST of a captured hex digits string (without 0x) to UBIGINT; NULL when it overflows. */
export function hexDigits(expr: string): string {
  return `TRY_CAST('0x' || ${expr} AS UBIGINT)`;
}

/** SQL: a captured number that may be 0x-hex or decimal (libtraceevent prints u64 as %llu). */
export function anyNum(expr: string): string {
  return `TRY_CAST(${expr} AS UBIGINT)`;
}

/** SQL: bits [lo, lo+width) of a UBIGINT expression, as BIGINT. */
export function bits(expr: string, lo: number, width: number): string {
  const mask = (1n << BigInt(width)) - 1n;
  return `CAST((${expr} >> ${lo}) & ${mask}::UBIGINT AS BIGINT)`;
}
