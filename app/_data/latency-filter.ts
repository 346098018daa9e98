// The trace pages' URL filters (?device=&pasid=&code=, and ?from=&to= in ns since the trace
// start for a zoomed time range) parsed into a typed LatencyFilter.
// Anything malformed is dropped rather than passed on: the values reach SQL only as bound
// parameters, but a bad value should read as "no filter", not as an empty chart.

import 'server-only';
import type { LatencyFilter, TimeRange } from '@/lib/queries/charts/latency-filter.ts';

export type SearchParams = Record<string, string | string[] | undefined>;

const CODES: Record<string, number> = { success: 0, invalid: 1, failure: 2, '0': 0, '1': 1, '2': 2 };

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
  if (f.code != null) p.set('code', ['success', 'invalid', 'failure'][f.code] ?? String(f.code));
  if (f.range) {
    p.set('from', f.range.from_ns.toString());
    p.set('to', f.range.to_ns.toString());
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}
