// The fault-group explorer: the groups behind any chart, paged and sorted in the database.
// Its URL carries the latency page's filters plus a latency range and a status, so every
// histogram bucket, percentile card and device/PASID row links straight to its groups.

import Link from 'next/link';
import { Suspense } from 'react';
import { isFiltered } from '@/lib/queries/charts/latency-filter.ts';
import { listGroups, type GroupSort } from '@/lib/queries/group-explorer.ts';
import { GROUP_STATUSES } from '@/lib/trace/schema.ts';
import { Card } from '../../../_components/card.tsx';
import { Empty } from '../../../_components/empty.tsx';
import { ParamNotice } from '../../../_components/param-notice.tsx';
import { TableSkeleton } from '../../../_components/skeleton.tsx';
import { traceIdFromParam, withDb } from '../../../_data/db.ts';
import { PAGE_SIZE, groupsHref, parseGroupView, type GroupView } from '../../../_data/group-params.ts';
import { type SearchParams } from '../../../_data/latency-filter.ts';
import { CODE_NAMES, fmtCount, fmtNs } from '../../../_lib/format.ts';

export const dynamic = 'force-dynamic';

function scopeText(v: GroupView): string {
  const f = v.filter;
  return [
    f.device != null ? `device ${f.device}` : null,
    f.pasid != null ? `PASID ${f.pasid}` : null,
    f.code != null ? `code ${CODE_NAMES[f.code] ?? f.code}` : null,
    f.status != null ? `status ${f.status}` : null,
    f.latency_min_ns != null || f.latency_max_ns != null
      ? `latency ${f.latency_min_ns != null ? `≥ ${fmtNs(Number(f.latency_min_ns))}` : ''}${f.latency_min_ns != null && f.latency_max_ns != null ? ' and ' : ''}${f.latency_max_ns != null ? `≤ ${fmtNs(Number(f.latency_max_ns))}` : ''}`
      : null,
    f.range ? `last-page requests ${fmtNs(Number(f.range.from_ns))} – ${fmtNs(Number(f.range.to_ns))} after trace start` : null,
  ]
    .filter(Boolean)
    .join(', ');
}

function GroupFilterForm({ traceId, view }: { traceId: number; view: GroupView }) {
  const f = view.filter;
  return (
    <form className="filters" method="get" action={`/traces/${traceId}/groups`} data-testid="group-filters">
      <div className="field">
        <label htmlFor="g-device">Device</label>
        <input id="g-device" type="text" name="device" defaultValue={f.device ?? ''} placeholder="0000:00:0a.0" size={14} />
      </div>
      <div className="field">
        <label htmlFor="g-pasid">PASID</label>
        <input id="g-pasid" type="text" name="pasid" defaultValue={f.pasid != null ? String(f.pasid) : ''} placeholder="2 or 0x2" size={8} />
      </div>
      <div className="field">
        <label htmlFor="g-code">Response code</label>
        <select id="g-code" name="code" defaultValue={f.code != null ? (CODE_NAMES[f.code] ?? '') : ''}>
          <option value="">all codes</option>
          {Object.values(CODE_NAMES).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="g-status">Status</label>
        <select id="g-status" name="status" defaultValue={f.status ?? ''}>
          <option value="">all statuses</option>
          {GROUP_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace('_', ' ')}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="g-lat-min">Latency ≥ (ns)</label>
        <input id="g-lat-min" type="text" inputMode="numeric" name="lat_min" defaultValue={f.latency_min_ns?.toString() ?? ''} size={10} />
      </div>
      <div className="field">
        <label htmlFor="g-lat-max">Latency ≤ (ns)</label>
        <input id="g-lat-max" type="text" inputMode="numeric" name="lat_max" defaultValue={f.latency_max_ns?.toString() ?? ''} size={10} />
      </div>
      {f.range ? (
        <>
          <input type="hidden" name="from" value={f.range.from_ns.toString()} />
          <input type="hidden" name="to" value={f.range.to_ns.toString()} />
        </>
      ) : null}
      {view.sort !== 'group' ? <input type="hidden" name="sort" value={view.sort} /> : null}
      {view.dir !== 'asc' ? <input type="hidden" name="dir" value={view.dir} /> : null}
      <button type="submit">Apply</button>
      {f.range ? (
        <Link className="button secondary" href={groupsHref(traceId, { ...view, filter: { ...f, range: null }, page: 1 })}>
          Whole trace
        </Link>
      ) : null}
      {isFiltered(f) || f.status != null || f.latency_min_ns != null || f.latency_max_ns != null ? (
        <Link className="button secondary" href={`/traces/${traceId}/groups`}>
          Clear filters
        </Link>
      ) : null}
    </form>
  );
}

const COLUMNS: { sort: GroupSort; label: string; num?: boolean; title?: string }[] = [
  { sort: 'group', label: 'group', num: true, title: 'ordinal in the trace, by completion time' },
  { sort: 'device', label: 'device' },
  { sort: 'pasid', label: 'PASID', num: true },
  { sort: 'prgi', label: 'PRGI', num: true, title: 'page request group index' },
  { sort: 'pages', label: 'pages', num: true },
  { sort: 'first', label: 'first request', num: true, title: 'since the trace start' },
  { sort: 'last', label: 'last request', num: true, title: 'last-page request, since the trace start' },
  { sort: 'response', label: 'response', num: true, title: 'since the trace start' },
  { sort: 'status', label: 'status' },
  { sort: 'code', label: 'code' },
  { sort: 'latency', label: 'latency', num: true, title: 'response − last-page request' },
  { sort: 'line', label: 'lines', title: 'first request – last-page request → response' },
];

async function GroupTable({ traceId, view }: { traceId: number; view: GroupView }) {
  const page = await withDb((db) => listGroups(db, traceId, view.filter, { sort: view.sort, dir: view.dir, page: view.page, pageSize: PAGE_SIZE }));
  const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
  if (page.total === 0) return <Empty>No fault groups match this filter.</Empty>;
  if (page.rows.length === 0) {
    return (
      <Empty>
        Page {view.page} is past the last page ({pages}). <Link href={groupsHref(traceId, { ...view, page: pages })}>Go to page {pages}</Link>
      </Empty>
    );
  }
  const firstRow = (page.page - 1) * PAGE_SIZE + 1;
  return (
    <>
      <div className="table-wrap">
        <table className="groups-table" data-testid="groups-table" data-total={page.total}>
          <thead>
            <tr>
              {COLUMNS.map((c) => {
                const active = view.sort === c.sort;
                const nextDir = active && view.dir === 'asc' ? 'desc' : active ? 'asc' : c.sort === 'latency' || c.sort === 'pages' ? 'desc' : 'asc';
                return (
                  <th
                    key={c.sort}
                    scope="col"
                    className={c.num ? 'num' : undefined}
                    title={c.title}
                    aria-sort={active ? (view.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    <a className="sort" href={groupsHref(traceId, { ...view, sort: c.sort, dir: nextDir, page: 1 })} data-testid={`sort-${c.sort}`}>
                      {c.label}
                      {active ? (view.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                    </a>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {page.rows.map((r) => (
              <tr key={r.group_no} data-testid="group-row" data-group={r.group_no} data-latency-ns={r.latency_ns ?? ''}>
                <td className="num">
                  <Link href={`/traces/${traceId}/groups/${r.group_no}`} title="Open this group's trace lines">
                    #{r.group_no}
                  </Link>
                </td>
                <td className="mono">{r.device ?? <span className="muted">none</span>}</td>
                <td className="num mono">{r.pasid ?? '—'}</td>
                <td className="num mono">{r.prgi ?? '—'}</td>
                <td className="num">{fmtCount(r.pages)}</td>
                <td className="num">{fmtNs(r.first_ns)}</td>
                <td className="num">{fmtNs(r.last_ns)}</td>
                <td className="num">{fmtNs(r.response_ns)}</td>
                <td>{r.status.replace('_', ' ')}</td>
                <td>{r.code === null ? '—' : (CODE_NAMES[r.code] ?? r.code)}</td>
                <td className="num">{fmtNs(r.latency_ns)}</td>
                <td className="mono" style={{ whiteSpace: 'nowrap' }}>
                  {r.first_line ?? ''}
                  {r.last_line !== null && r.last_line !== r.first_line ? `–${r.last_line}` : ''}
                  {r.response_line !== null ? ` → ${r.response_line}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages">
        <span data-testid="groups-range">
          Groups {fmtCount(firstRow)}–{fmtCount(firstRow + page.rows.length - 1)} of {fmtCount(page.total)}
        </span>
        {page.page > 1 ? (
          <Link className="button secondary small" href={groupsHref(traceId, { ...view, page: page.page - 1 })} rel="prev">
            ‹ Previous
          </Link>
        ) : null}
        <span className="muted">
          page {fmtCount(page.page)} of {fmtCount(pages)}
        </span>
        {page.page < pages ? (
          <Link className="button secondary small" href={groupsHref(traceId, { ...view, page: page.page + 1 })} rel="next" data-testid="next-page">
            Next ›
          </Link>
        ) : null}
      </nav>
    </>
  );
}

export default async function GroupsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const traceId = traceIdFromParam((await params).id);
  const view = parseGroupView(await searchParams);
  const scope = scopeText(view);
  const k = groupsHref(traceId, view);
  return (
    <div className="grid">
      <ParamNotice problems={view.problems} />
      <Card title="Filters" span={12} subtitle={scope ? `Showing groups with ${scope}.` : 'All fault groups of the trace.'}>
        <GroupFilterForm traceId={traceId} view={view} />
      </Card>
      <Card
        title="Fault groups"
        span={12}
        subtitle="One row per page request group (or orphan response), paged and sorted in the database. Times are since the trace start; open a group to see its trace lines."
      >
        <Suspense key={k} fallback={<TableSkeleton rows={10} />}>
          <GroupTable traceId={traceId} view={view} />
        </Suspense>
      </Card>
    </div>
  );
}
