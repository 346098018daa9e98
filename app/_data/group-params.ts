// The fault-group explorer's URL: the latency page's filters (device, pasid, code, from/to)
// plus lat_min/lat_max (inclusive latency bounds, ns), status, sort, dir and page, parsed into
// typed values with a notice for each parameter that had to be ignored, and built back into
// links so every chart, card and table row can point at its groups.

import { GROUP_SORTS, type GroupFilter, type GroupSort, type SortDir } from '@/lib/queries/group-explorer.ts';
import { GROUP_STATUSES, type GroupStatus } from '@/lib/trace/schema.ts';
import { clip, filterQuery, latencyFilterProblems, parseLatencyFilter, type SearchParams } from './latency-filter.ts';

export interface GroupView {
  filter: GroupFilter;
  sort: GroupSort;
  dir: SortDir;
  page: number;
  problems: string[];
}

export const PAGE_SIZE = 50;

function first(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

function nsBound(v: string | undefined): bigint | null {
  if (v === undefined || !/^\d{1,19}$/.test(v)) return null;
  const n = BigInt(v);
  return n < 2n ** 63n ? n : null;
}

export function parseGroupView(sp: SearchParams): GroupView {
  const problems = latencyFilterProblems(sp);
  const filter: GroupFilter = parseLatencyFilter(sp);
  for (const [key, field] of [
    ['lat_min', 'latency_min_ns'],
    ['lat_max', 'latency_max_ns'],
  ] as const) {
    const raw = first(sp[key]);
    if (raw === undefined) continue;
    const v = nsBound(raw);
    if (v === null) problems.push(`${key}=${clip(raw)} is not a latency in whole ns; it was ignored.`);
    else filter[field] = v;
  }
  if (filter.latency_min_ns != null && filter.latency_max_ns != null && filter.latency_min_ns > filter.latency_max_ns) {
    problems.push(`lat_min is above lat_max, so no group can match.`);
  }
  const status = first(sp.status);
  if (status !== undefined) {
    if ((GROUP_STATUSES as readonly string[]).includes(status)) filter.status = status as GroupStatus;
    else problems.push(`status=${clip(status)} is not one of ${GROUP_STATUSES.join(', ')}; it was ignored.`);
  }
  let sort: GroupSort = 'group';
  const s = first(sp.sort);
  if (s !== undefined) {
    if (Object.hasOwn(GROUP_SORTS, s)) sort = s as GroupSort;
    else problems.push(`sort=${clip(s)} is not a column of this table; sorted by group instead.`);
  }
  let dir: SortDir = 'asc';
  const d = first(sp.dir);
  if (d === 'desc' || d === 'asc') dir = d;
  else if (d !== undefined) problems.push(`dir=${clip(d)} is neither asc nor desc; ascending instead.`);
  let page = 1;
  const p = first(sp.page);
  if (p !== undefined) {
    if (/^\d{1,9}$/.test(p) && Number(p) >= 1) page = Number(p);
    else problems.push(`page=${clip(p)} is not a page number; showing page 1.`);
  }
  return { filter, sort, dir, page, problems };
}

/** The explorer's URL for a trace with this view (defaults left out). */
export function groupsHref(traceId: number, v: { filter?: GroupFilter; sort?: GroupSort; dir?: SortDir; page?: number }): string {
  const f = v.filter ?? {};
  const p = new URLSearchParams(filterQuery(f).slice(1));
  if (f.latency_min_ns != null) p.set('lat_min', f.latency_min_ns.toString());
  if (f.latency_max_ns != null) p.set('lat_max', f.latency_max_ns.toString());
  if (f.status != null) p.set('status', f.status);
  if (v.sort && v.sort !== 'group') p.set('sort', v.sort);
  if (v.dir && v.dir !== 'asc') p.set('dir', v.dir);
  if (v.page && v.page > 1) p.set('page', String(v.page));
  const q = p.toString();
  return `/traces/${traceId}/groups${q ? `?${q}` : ''}`;
}
