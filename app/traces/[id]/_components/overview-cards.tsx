// The overview page's cards: each is an async server component that runs its own query (so
// each streams in under its own <Suspense>) and hands JSON-safe rows to a chart or a table.

import Link from 'next/link';
import { deviceBreakdown, pasidBreakdown, type Breakdown } from '@/lib/queries/charts/breakdowns.ts';
import { eventsOverTime } from '@/lib/queries/charts/events-over-time.ts';
import type { TimeRange } from '@/lib/queries/charts/latency-filter.ts';
import { pairingHealth } from '@/lib/queries/charts/pairing-health.ts';
import { traceSummary } from '@/lib/queries/charts/summary.ts';
import { EventsOverTimeChart } from '../../../_components/charts/events-over-time-chart.tsx';
import { listAnnotations } from '@/lib/db/annotations.ts';
import { listSavedViews } from '@/lib/db/saved-views.ts';
import { SavedViewsList } from '../../../_components/postmortem/saved-views-list.tsx';
import { annotationBands } from '../../../_lib/annotation-bands.ts';
import { Empty } from '../../../_components/empty.tsx';
import { withDb } from '../../../_data/db.ts';
import { groupsHref } from '../../../_data/group-params.ts';
import { fmtCount, fmtNs, fmtPercent } from '../../../_lib/format.ts';

export async function SummaryFigures({ traceId }: { traceId: number }) {
  const s = await withDb((db) => traceSummary(db, traceId));
  const items: { label: string; value: string; tone?: 'bad' | 'warn'; id: string }[] = [
    { id: 'page-requests', label: 'page requests', value: fmtCount(s.page_requests) },
    { id: 'groups', label: 'fault groups', value: fmtCount(s.groups.total) },
    { id: 'answered', label: 'answered', value: fmtCount(s.groups.answered) },
    { id: 'unanswered', label: 'unanswered', value: fmtCount(s.groups.unanswered), tone: s.groups.unanswered ? 'warn' : undefined },
    { id: 'orphans', label: 'orphan responses', value: fmtCount(s.groups.orphan_responses), tone: s.groups.orphan_responses ? 'warn' : undefined },
    { id: 'unrecoverable', label: 'unrecoverable faults', value: fmtCount(s.unrecoverable_faults), tone: s.unrecoverable_faults ? 'bad' : undefined },
    { id: 'p50', label: 'latency p50', value: fmtNs(s.latency_ns.p50) },
    { id: 'p99', label: 'latency p99', value: fmtNs(s.latency_ns.p99) },
    { id: 'devices', label: 'devices / PASIDs', value: `${fmtCount(s.devices)} / ${fmtCount(s.pasids)}` },
  ];
  return (
    <dl className="figures">
      {items.map((f) => (
        <div key={f.id} className={`figure${f.tone ? ` ${f.tone}` : ''}`} data-testid={`figure-${f.id}`}>
          <dt>{f.label}</dt>
          <dd>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export async function EventsOverTimeCard({ traceId, range }: { traceId: number; range: TimeRange | null }) {
  const [data, notes] = await withDb(async (db) => [await eventsOverTime(db, traceId, range), await listAnnotations(db, traceId)] as const);
  if (data.buckets.length === 0) return <Empty>{range ? 'No timestamped events in this time range.' : 'No timestamped events in this trace.'}</Empty>;
  return (
    <EventsOverTimeChart
      buckets={data.buckets}
      kinds={data.kinds}
      bucketNs={data.bucket_ns}
      extentNs={data.extent_ns}
      bands={annotationBands(notes)}
      brushTraceId={traceId}
      zoom={range ? [Number(range.from_ns), Number(range.to_ns)] : undefined}
    />
  );
}

function Row({ label, value, tone, hint }: { label: string; value: number; tone?: 'bad' | 'warn'; hint?: string }) {
  return (
    <tr>
      <th scope="row" style={{ fontWeight: 400, color: 'var(--text)' }}>
        {label}
        {hint ? (
          <div className="muted" style={{ fontSize: '0.78rem' }}>
            {hint}
          </div>
        ) : null}
      </th>
      <td className="num" style={value && tone ? { color: `var(--${tone})`, fontWeight: 600 } : undefined}>
        {fmtCount(value)}
      </td>
    </tr>
  );
}

export async function PairingHealthCard({ traceId }: { traceId: number }) {
  const h = await withDb((db) => pairingHealth(db, traceId));
  return (
    <div data-testid="pairing-health">
      <table>
        <tbody>
          <Row label="answered groups" value={h.groups.answered} />
          <Row label="unanswered" value={h.groups.unanswered} tone="warn" hint="completed, no response by the end of the trace" />
          <Row label="incomplete" value={h.groups.incomplete} tone="warn" hint="no last-page request seen" />
          <Row label="orphan responses" value={h.groups.orphan_responses} tone="warn" hint="responses that answer no open group" />
          <Row label="stop markers" value={h.groups.stop_markers} />
          <Row
            label="lost-event markers"
            value={h.lost_markers}
            tone="bad"
            hint={h.lost_markers ? `${fmtCount(h.lost_events)} events dropped by the tracer` : undefined}
          />
          <Row label="bad lines" value={h.bad_lines} tone="bad" hint={`of ${fmtCount(h.lines)} lines`} />
        </tbody>
      </table>
      <h3>Response codes</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">code</th>
            <th scope="col" className="num">
              answered groups
            </th>
            <th scope="col" className="num">
              orphan responses
            </th>
          </tr>
        </thead>
        <tbody>
          {(['success', 'invalid', 'failure', 'unknown'] as const)
            .filter((c) => c !== 'unknown' || h.codes.unknown + h.orphan_codes.unknown > 0)
            .map((c) => (
              <tr key={c}>
                <td>{c}</td>
                <td className="num">{fmtCount(h.codes[c])}</td>
                <td className="num">{fmtCount(h.orphan_codes[c])}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {h.lost_gaps.length > 0 ? (
        <>
          <h3>Lost-event gaps</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">line</th>
                <th scope="col">CPU</th>
                <th scope="col" className="num">
                  events lost
                </th>
              </tr>
            </thead>
            <tbody>
              {h.lost_gaps.map((g) => (
                <tr key={g.line}>
                  <td className="mono">{g.line}</td>
                  <td>{g.cpu ?? '—'}</td>
                  <td className="num">{fmtCount(g.lost)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {h.lost_markers > h.lost_gaps.length ? <p className="muted">… and {fmtCount(h.lost_markers - h.lost_gaps.length)} more</p> : null}
        </>
      ) : null}
      {h.warnings.length > 0 ? (
        <>
          <h3>First bad lines (skipped)</h3>
          <ul className="error-list">
            {h.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function BreakdownTable({
  data,
  keyLabel,
  traceId,
  filterParam,
  testId,
}: {
  data: Breakdown;
  keyLabel: string;
  traceId: number;
  filterParam: 'device' | 'pasid';
  testId: string;
}) {
  if (data.rows.length === 0) return <Empty>No page requests or faults in this trace.</Empty>;
  const maxShare = Math.max(...data.rows.map((r) => r.share), 0.0001);
  // Columns that would be all zeros are left out: the tables must fit half a laptop screen.
  const showRequests = data.rows.some((r) => r.page_requests > 0);
  const showUnrecoverable = data.rows.some((r) => r.unrecoverable_faults > 0);
  const showUnanswered = data.rows.some((r) => r.unanswered > 0);
  const showLatency = data.rows.some((r) => r.answered > 0);
  return (
    <>
      <div className="table-wrap table-scroll">
        <table data-testid={testId}>
          <thead>
            <tr>
              <th scope="col">{keyLabel}</th>
              {showRequests ? (
                <th scope="col" className="num" title="page requests">
                  requests
                </th>
              ) : null}
              {showUnrecoverable ? (
                <th scope="col" className="num" title="unrecoverable faults">
                  unrec.
                </th>
              ) : null}
              <th scope="col" title="share of the trace's faults">
                share
              </th>
              <th scope="col" className="num">
                groups
              </th>
              {showUnanswered ? (
                <th scope="col" className="num" title="unanswered groups">
                  unans.
                </th>
              ) : null}
              {showLatency ? (
                <>
                  <th scope="col" className="num">
                    p50
                  </th>
                  <th scope="col" className="num">
                    p99
                  </th>
                </>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {data.rows.map((r) => (
              <tr key={String(r.key)}>
                <td className="mono">
                  {r.key === null ? (
                    <span className="muted">none</span>
                  ) : r.answered > 0 ? (
                    <Link href={`/traces/${traceId}/latency?${filterParam}=${encodeURIComponent(String(r.key))}`} title={`Latency of ${keyLabel} ${r.key}`}>
                      {String(r.key)}
                    </Link>
                  ) : (
                    String(r.key)
                  )}
                </td>
                {showRequests ? <td className="num">{fmtCount(r.page_requests)}</td> : null}
                {showUnrecoverable ? <td className="num">{fmtCount(r.unrecoverable_faults)}</td> : null}
                <td style={{ whiteSpace: 'nowrap' }}>
                  <span className="share-bar" style={{ width: `${Math.max(2, (r.share / maxShare) * 40)}px` }} aria-hidden="true" />
                  {fmtPercent(r.share)}
                </td>
                <td className="num">
                  {r.groups > 0 && r.key !== null ? (
                    <Link
                      href={groupsHref(traceId, { filter: filterParam === 'device' ? { device: String(r.key) } : { pasid: Number(r.key) } })}
                      title={`Fault groups of ${keyLabel} ${r.key}`}
                    >
                      {fmtCount(r.groups)}
                    </Link>
                  ) : (
                    fmtCount(r.groups)
                  )}
                </td>
                {showUnanswered ? <td className="num">{fmtCount(r.unanswered)}</td> : null}
                {showLatency ? (
                  <>
                    <td className="num">{fmtNs(r.p50_ns)}</td>
                    <td className="num">{fmtNs(r.p99_ns)}</td>
                  </>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data.omitted > 0 ? <p className="muted">… and {fmtCount(data.omitted)} more with fewer faults</p> : null}
    </>
  );
}

export async function DevicesCard({ traceId }: { traceId: number }) {
  const data = await withDb((db) => deviceBreakdown(db, traceId, 50));
  return <BreakdownTable data={data} keyLabel="device" traceId={traceId} filterParam="device" testId="devices-table" />;
}

export async function PasidsCard({ traceId }: { traceId: number }) {
  const data = await withDb((db) => pasidBreakdown(db, traceId, 50));
  return <BreakdownTable data={data} keyLabel="PASID" traceId={traceId} filterParam="pasid" testId="pasids-table" />;
}

export async function SavedViewsCard({ traceId }: { traceId: number }) {
  return <SavedViewsList views={await withDb((db) => listSavedViews(db, traceId))} />;
}
