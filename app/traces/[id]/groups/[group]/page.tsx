// One fault group: its key, times and latency, and its trace lines in context — the stored
// events at the line numbers around its first request, last-page request and response (and
// every page request of the group). The raw text of a line is not stored; each row is the
// event decoded from that line, at the file's own line number.

import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getGroup, groupLines, type GroupRow, type TraceLine } from '@/lib/queries/group-explorer.ts';
import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import { Card } from '../../../../_components/card.tsx';
import { traceIdFromParam, withDbOrNotFound } from '../../../../_data/db.ts';
import { groupsHref } from '../../../../_data/group-params.ts';
import { CODE_NAMES, fmtCount, fmtNs } from '../../../../_lib/format.ts';
import { eventFields, secondsText } from '../../../../_lib/trace-line.ts';

export const dynamic = 'force-dynamic';

const CONTEXT_LINES = 4;

const ROLE_LABEL: Record<TraceLine['role'], string> = {
  request: 'request',
  last_request: 'last-page request',
  response: 'response',
  context: '',
};

function Facts({ g, traceId }: { g: GroupRow; traceId: number }) {
  const items: [string, React.ReactNode][] = [
    ['IOMMU', g.iommu ?? '—'],
    [
      'device',
      g.device ? (
        <Link key="d" href={groupsHref(traceId, { filter: { device: g.device } })}>
          {g.device}
        </Link>
      ) : (
        'none'
      ),
    ],
    [
      'PASID',
      g.pasid !== null ? (
        <Link key="p" href={groupsHref(traceId, { filter: { pasid: g.pasid } })}>
          {g.pasid} (0x{g.pasid.toString(16)})
        </Link>
      ) : (
        '—'
      ),
    ],
    ['PRG index', g.prgi !== null ? `${g.prgi} (0x${g.prgi.toString(16)})` : '—'],
    ['status', g.status.replace('_', ' ')],
    ['pages', fmtCount(g.pages)],
    ['first request', fmtNs(g.first_ns)],
    ['last-page request', fmtNs(g.last_ns)],
    ['response', fmtNs(g.response_ns)],
    ['code', g.code === null ? '—' : (CODE_NAMES[g.code] ?? String(g.code))],
    ['latency', g.latency_ns === null ? '—' : `${fmtNs(g.latency_ns)} (${g.latency_ns} ns)`],
    ['device waited', g.span_ns === null ? '—' : `${fmtNs(g.span_ns)} (${g.span_ns} ns)`],
    ['lines', [g.first_line, g.last_line, g.response_line].filter((l) => l !== null).join(', ') || '—'],
  ];
  return (
    <dl className="facts-list" data-testid="group-facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function LineRows({ window, byLine }: { window: [number, number]; byLine: Map<number, TraceLine> }) {
  const rows: React.ReactNode[] = [];
  let missingFrom: number | null = null;
  const flushMissing = (to: number) => {
    if (missingFrom === null) return;
    rows.push(
      <tr key={`m${missingFrom}`} className="missing">
        <td className="num">{missingFrom === to ? missingFrom : `${missingFrom}–${to}`}</td>
        <td colSpan={5}>no event stored (a header, comment or skipped line)</td>
      </tr>,
    );
    missingFrom = null;
  };
  for (let n = window[0]; n <= window[1]; n++) {
    const l = byLine.get(n);
    if (!l) {
      missingFrom ??= n;
      continue;
    }
    flushMissing(n - 1);
    rows.push(
      <tr
        key={n}
        className={`role-${l.role}`}
        data-testid="trace-line"
        data-line={l.line}
        data-ts-ns={l.ts_ns ?? ''}
        data-event={l.event ?? ''}
        data-role={l.role}
      >
        <td className="num">{l.line}</td>
        <td className="num">{secondsText(l.ts_ns)}</td>
        <td className="num">{l.cpu ?? '—'}</td>
        <td>{l.task !== null || l.pid !== null ? `${l.task ?? ''}-${l.pid ?? ''}` : '—'}</td>
        <td>
          {l.event ?? l.kind}
          {l.role !== 'context' ? <span className="visually-hidden"> ({ROLE_LABEL[l.role]})</span> : null}
        </td>
        <td className="fields">
          {eventFields(l)}
          {l.role !== 'context' ? <b style={{ marginLeft: '0.5rem', fontFamily: 'inherit' }}>◀ {ROLE_LABEL[l.role]}</b> : null}
        </td>
      </tr>,
    );
  }
  flushMissing(window[1]);
  return <>{rows}</>;
}

export default async function GroupPage({ params }: { params: Promise<{ id: string; group: string }> }) {
  const p = await params;
  const traceId = traceIdFromParam(p.id);
  if (!/^\d{1,15}$/.test(p.group)) notFound();
  const groupNo = Number(p.group);
  const { g, lines, header } = await withDbOrNotFound(async (db) => {
    const g = await getGroup(db, traceId, groupNo);
    return { g, lines: await groupLines(db, traceId, g, CONTEXT_LINES), header: await traceHeader(db, traceId) };
  });
  const byLine = new Map(lines.lines.map((l) => [l.line, l]));
  const file = header.source_file ?? header.name;
  return (
    <div className="grid">
      <Card
        title={`Fault group #${g.group_no}`}
        span={12}
        testId="group-card"
        actions={
          <Link className="button secondary small" href={groupsHref(traceId, { filter: { device: g.device, pasid: g.pasid } })}>
            Groups of this device and PASID
          </Link>
        }
      >
        <Facts g={g} traceId={traceId} />
      </Card>
      <Card
        title="Trace lines"
        span={12}
        testId="group-lines"
        subtitle={
          <>
            The events stored from lines of <b>{file}</b> within {CONTEXT_LINES} lines of this group&apos;s first request, last-page request and response, and
            every page request of the group. The file&apos;s raw text is not kept: each row is the event decoded from that line, at the file&apos;s own line
            number, with its exact timestamp.
          </>
        }
      >
        {lines.windows.length === 0 ? (
          <p className="muted">This group has no line numbers.</p>
        ) : (
          <div className="table-wrap">
            <table className="trace-lines">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    line
                  </th>
                  <th scope="col" className="num">
                    timestamp (s)
                  </th>
                  <th scope="col" className="num">
                    CPU
                  </th>
                  <th scope="col">task-pid</th>
                  <th scope="col">event</th>
                  <th scope="col">decoded fields</th>
                </tr>
              </thead>
              <tbody>
                {lines.windows.map((w, i) => (
                  <LineWindow key={w[0]} window={w} byLine={byLine} gapBefore={i > 0 ? w[0] - lines.windows[i - 1]![1] - 1 : 0} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

function LineWindow({ window, byLine, gapBefore }: { window: [number, number]; byLine: Map<number, TraceLine>; gapBefore: number }) {
  return (
    <>
      {gapBefore > 0 ? (
        <tr className="gap">
          <td colSpan={6}>⋯ {fmtCount(gapBefore)} lines not shown ⋯</td>
        </tr>
      ) : null}
      <LineRows window={window} byLine={byLine} />
    </>
  );
}
