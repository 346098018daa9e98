// The trace pages' URL filters (?device=&pasid=&code=, and ?from=&to= in ns since the trace
// start for a zoomed time range) parsed into a typed LatencyFilter.
// Anything malformed is dropped rather than passed on: the values reach SQL only as bound
// parameters, but a bad value should read as "no filter", not as an empty chart.

import 'server-only';
import { parseId, parseIdList } from '@/lib/core/ids.ts';
import type { LatencyFilter, TimeRange } from '@/lib/queries/charts/latency-filter.ts';
import { RESPONSE_CODE_NAMES } from '@/lib/trace/schema.ts';

export type SearchParams = Record<string, string | string[] | undefined>;

/** A code by name or number: success, invalid, failure or 0, 1, 2. */
const CODES: Record<string, number> = Object.fromEntries(
  RESPONSE_CODE_NAMES.flatMap((name, code) => [
    [name, code],
    [String(code), code],
  ]),
);

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The largest offset kept: the queries add the trace's first timestamp (at most ~10^18 ns, the
 * largest ftrace seconds allowed) to it in BIGINT, so a larger one (?to=9223372036854775807)
 * would overflow there and fail the page. Larger values mean "to the end" and are clamped.
 */
const MAX_OFFSET_NS = 2n ** 62n;

function nsParam(v: string | undefined): bigint | null {
  const t = v?.trim();
  if (!t || !/^\d{1,19}$/.test(t)) return null;
  const n = BigInt(t);
  return n <= MAX_OFFSET_NS ? n : MAX_OFFSET_NS;
}

/** ?from=&to= as a non-empty window, else null (an inverted or half-given range is no zoom). */
export function parseTimeRange(sp: SearchParams): TimeRange | null {
  const from = nsParam(first(sp.from));
  const to = nsParam(first(sp.to));
  return from !== null && to !== null && from < to ? { from_ns: from, to_ns: to } : null;
}

export function parseLatencyFilter(sp: SearchParams): LatencyFilter {
  const out: LatencyFilter = {};
  const range = parseTimeRange(sp);
  if (range) out.range = range;
  const device = first(sp.device)?.trim();
  if (device && device.length <= 64) out.device = device;
  const pasid = first(sp.pasid)?.trim();
  if (pasid && /^(0x[0-9a-f]{1,5}|\d{1,7})$/i.test(pasid)) {
    const n = Number(pasid);
    if (n <= 0xfffff) out.pasid = n;
  }
  const code = first(sp.code)?.trim().toLowerCase();
  if (code && code in CODES) out.code = CODES[code];
  return out;
}

/** The filter back as query-string pairs, for links that keep it. */
export function filterQuery(f: LatencyFilter): string {
  const p = new URLSearchParams();
  if (f.device != null) p.set('device', f.device);
  if (f.pasid != null) p.set('pasid', String(f.pasid));
  if (f.code != null) p.set('code', RESPONSE_CODE_NAMES[f.code] ?? String(f.code));
  if (f.range) {
    p.set('from', f.range.from_ns.toString());
    p.set('to', f.range.to_ns.toString());
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * What parseLatencyFilter dropped, one sentence per parameter, so a page can say so instead
 * of quietly showing a different view than the link meant.
 */
export function latencyFilterProblems(sp: SearchParams): string[] {
  const out: string[] = [];
  const given = (k: string) => {
    const v = first(sp[k]);
    return v !== undefined && v.trim() !== '' ? clip(v) : undefined;
  };
  const from = given('from');
  const to = given('to');
  if ((from !== undefined || to !== undefined) && !parseTimeRange(sp)) {
    out.push(
      from === undefined || to === undefined
        ? 'from= and to= go together; the time window was ignored.'
        : `from=${from} to=${to} is not a time window (two whole ns values since the trace start, from < to); it was ignored.`,
    );
  }
  const f = parseLatencyFilter(sp);
  const device = given('device');
  if (device !== undefined && f.device == null) out.push('device= is longer than a PCI device name (64 characters); it was ignored.');
  const pasid = given('pasid');
  if (pasid !== undefined && f.pasid == null) out.push(`pasid=${pasid} is not a PASID (0 … 1048575, decimal or 0x hex); it was ignored.`);
  const code = given('code');
  if (code !== undefined && f.code == null) out.push(`code=${code} is not a response code (success, invalid, failure or 0, 1, 2); it was ignored.`);
  return out;
}

/** A URL value quoted back in a notice: short enough never to widen the page. */
export function clip(v: string): string {
  return v.length > 32 ? `${v.slice(0, 32)}…` : v;
}

/** Id parameters (?a=, ?runA=, ?runs=1,2 …) that are not ids, one sentence each. */
export function idParamProblems(sp: SearchParams, names: readonly string[], opts: { list?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const name of names) {
    const v = first(sp[name])?.trim();
    if (!v) continue;
    const bad = opts.list ? parseIdList(v).bad : parseId(v) === null ? [v] : [];
    if (bad.length)
      out.push(`${name}=${clip(bad.join(','))} is not ${opts.list ? 'a list of ids' : 'an id'} (digits only); ${opts.list ? 'those were' : 'it was'} ignored.`);
  }
  return out;
}

/** A one-of parameter (?alloc=dense|sparse) given a value outside its set. */
export function choiceProblem(sp: SearchParams, name: string, choices: readonly string[], fallback: string): string[] {
  const v = first(sp[name])?.trim();
  return v && !choices.includes(v) ? [`${name}=${clip(v)} is not one of ${choices.join(', ')}; showing ${fallback}.`] : [];
}
