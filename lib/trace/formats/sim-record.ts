// One simulator-trace record (a CSV row or a JSON Lines object, as strings) to a TraceEvent,
// with explicit conversions: 64-bit values go string → BigInt, never through Number, and a
// bad field is a located TraceParseError, never a silent 0. Shared by sim-csv and sim-jsonl.

import { TraceParseError } from '../../core/errors.ts';
import { NS_PER_S, NS_PER_US } from '../../core/time.ts';
import { PASID_LIMIT, PRGI_LIMIT, type TraceEvent } from '../schema.ts';

export const SIM_TIME_COLUMNS = ['ts_ns', 'ts_us', 'ts_s'] as const;
export const SIM_REQUIRED = ['kind', 'device', 'pasid', 'prgi'] as const;

export type SimRecord = Record<string, string | undefined>;

/** What a streaming record parser yields per physical line. */
export type Parsed = { event: TraceEvent } | { error: TraceParseError } | { skipped: true };

/** Which time column a header uses, or null when none. */
export function simTimeColumn(fields: readonly string[]): (typeof SIM_TIME_COLUMNS)[number] | null {
  return SIM_TIME_COLUMNS.find((c) => fields.includes(c)) ?? null;
}

function fail(file: string, line: number, column: number, reason: string): never {
  throw new TraceParseError({ file, line, column }, reason);
}

/** Decimal with optional fraction, scaled to ns exactly (no floating point). */
function scaledTime(text: string, scale: bigint, digits: number): bigint | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > digits) return null;
  return BigInt(m[1]!) * scale + (frac ? BigInt(frac.padEnd(digits, '0')) : 0n);
}

function intField(v: string, limit: number): number | null {
  if (!/^(?:0x[0-9a-fA-F]+|\d+)$/.test(v)) return null;
  const n = Number.parseInt(v, v.startsWith('0x') ? 16 : 10);
  return n < limit ? n : null;
}

export interface RecordContext {
  file: string;
  line: number;
  /** Column number of each field (1-based) for error locations; CSV passes field positions. */
  columnOf: (field: string) => number;
}

/** A field's text, trimmed; null when absent or empty. */
function valueOf(rec: SimRecord, field: string): string | null {
  const v = rec[field];
  return v === undefined || v === '' ? null : v.trim();
}

function badField(ctx: RecordContext, field: string, why: string): never {
  return fail(ctx.file, ctx.line, ctx.columnOf(field), `${field}: ${why}`);
}

// No closures per record: run through tsx (the CLI), each one made is also renamed
// (esbuild's keepNames), and that was a tenth of a simulator CSV's ingest.
export function simRecordToEvent(rec: SimRecord, ctx: RecordContext): TraceEvent {
  const line = ctx.line;

  let timeCol: (typeof SIM_TIME_COLUMNS)[number] | undefined;
  for (const c of SIM_TIME_COLUMNS) {
    if (valueOf(rec, c) !== null) {
      timeCol = c;
      break;
    }
  }
  if (!timeCol) badField(ctx, 'ts_ns', 'missing timestamp (ts_ns, ts_us or ts_s)');
  const tsText = valueOf(rec, timeCol)!;
  const tsNs = timeCol === 'ts_ns' ? scaledTime(tsText, 1n, 0) : timeCol === 'ts_us' ? scaledTime(tsText, NS_PER_US, 3) : scaledTime(tsText, NS_PER_S, 9);
  if (tsNs === null || tsNs > 9223372036854775807n) badField(ctx, timeCol, `not a non-negative time: ${JSON.stringify(tsText)}`);

  const kind = valueOf(rec, 'kind');
  if (kind !== 'page_request' && kind !== 'page_response') badField(ctx, 'kind', `expected page_request or page_response, got ${JSON.stringify(kind)}`);
  const device = valueOf(rec, 'device');
  if (!device) badField(ctx, 'device', 'missing');
  const pasid = intField(valueOf(rec, 'pasid') ?? '', PASID_LIMIT);
  if (pasid === null) badField(ctx, 'pasid', `not a PASID below 2^20: ${JSON.stringify(valueOf(rec, 'pasid'))}`);
  const prgi = intField(valueOf(rec, 'prgi') ?? '', PRGI_LIMIT);
  if (prgi === null) badField(ctx, 'prgi', `not a PRG index below 512: ${JSON.stringify(valueOf(rec, 'prgi'))}`);

  let last: boolean | null = null;
  const lastText = valueOf(rec, 'last');
  if (lastText !== null) {
    if (!['0', '1', 'true', 'false'].includes(lastText)) badField(ctx, 'last', `expected 0 or 1, got ${JSON.stringify(lastText)}`);
    last = lastText === '1' || lastText === 'true';
  } else if (kind === 'page_request') badField(ctx, 'last', 'missing on a page_request');

  let addr: bigint | null = null;
  const addrText = valueOf(rec, 'addr');
  if (addrText !== null) {
    if (!/^(?:0x[0-9a-fA-F]{1,16}|\d{1,20})$/.test(addrText)) badField(ctx, 'addr', `not a 64-bit address: ${JSON.stringify(addrText)}`);
    addr = BigInt(addrText);
    if (addr > 0xffffffffffffffffn) badField(ctx, 'addr', 'above 2^64');
  }

  const perm = valueOf(rec, 'perm');
  if (perm !== null && !/^r?w?x?p?$/.test(perm)) badField(ctx, 'perm', `expected letters of rwxp in that order, got ${JSON.stringify(perm)}`);

  let code: number | null = null;
  const codeText = valueOf(rec, 'code');
  if (codeText !== null) {
    if (!['0', '1', '2'].includes(codeText)) badField(ctx, 'code', `expected 0 (success), 1 (invalid) or 2 (failure), got ${JSON.stringify(codeText)}`);
    code = Number(codeText);
  } else if (kind === 'page_response') badField(ctx, 'code', 'missing on a page_response');

  const ridText = valueOf(rec, 'rid');
  const rid = ridText === null ? null : intField(ridText, 1 << 16);
  if (ridText !== null && rid === null) badField(ctx, 'rid', `not a 16-bit requester ID: ${JSON.stringify(ridText)}`);
  const cpuText = valueOf(rec, 'cpu');
  const cpu = cpuText === null ? null : intField(cpuText, 1 << 15);
  if (cpuText !== null && cpu === null) badField(ctx, 'cpu', `not a CPU number: ${JSON.stringify(cpuText)}`);

  return {
    line,
    tsNs,
    cpu,
    task: null,
    pid: null,
    kind,
    event: kind,
    iommu: valueOf(rec, 'iommu'),
    device,
    rid,
    pasid,
    prgi,
    last: kind === 'page_request' ? last : null,
    addr,
    perm: kind === 'page_request' ? (perm ?? '') : null,
    code: kind === 'page_response' ? code : null,
    seq: null,
    detail: null,
  };
}

/** The record as a parsed event, or its located error: what the streaming parsers yield for it. */
export function parsedRecord(rec: SimRecord, ctx: RecordContext): Parsed {
  try {
    return { event: simRecordToEvent(rec, ctx) };
  } catch (e) {
    if (e instanceof TraceParseError) return { error: e };
    throw e;
  }
}
