// The printable postmortem of one trace: summary figures, the percentile table, the key charts
// (the dashboard's own chart components, annotations drawn as bands), the annotations in time
// order, the replay comparison when runs exist, and the downloads (served by
// /api/traces/[id]/export, the same files as `pritrace report` / `pritrace export`).

import Link from 'next/link';
import { CHART_CSV_NAMES } from '@/lib/postmortem/csv.ts';
import { PERCENTILES, annotationScope, signedPercent, worstMoments } from '@/lib/postmortem/format.ts';
import { gatherPostmortem } from '@/lib/postmortem/report-data.ts';
import { Card } from '../../../_components/card.tsx';
import { CdfChart, type CdfSeries } from '../../../_components/charts/cdf-chart.tsx';
import { RunSwatch } from '../../../_components/charts/run-swatch.tsx';
import { LatencyHistogramChart } from '../../../_components/charts/latency-histogram-chart.tsx';
import { LatencyOverTimeChart } from '../../../_components/charts/latency-over-time-chart.tsx';
import { Empty } from '../../../_components/empty.tsx';
import { ChartPngButton } from '../../../_components/postmortem/chart-png-button.tsx';
import { PrintButton } from '../../../_components/postmortem/print-button.tsx';
import { traceIdFromParam, withDbOrNotFound } from '../../../_data/db.ts';
import { groupsHref } from '../../../_data/group-params.ts';
import { annotationBands } from '../../../_lib/annotation-bands.ts';
import { NONE } from '@/lib/core/display.ts';
import { fmtCount, fmtNs, fmtPercent, fmtRunNs } from '../../../_lib/format.ts';
import type { RunRow } from '@/lib/queries/charts/replay-comparison.ts';
import { runFigure } from '@/lib/queries/charts/run-figure.ts';
import './report.css';
import { withoutControls } from '@/lib/core/errors.ts';
import { RECORDED_COLOR, runColor } from '@/lib/core/series-colors.ts';

export const dynamic = 'force-dynamic';

function ChartActions({ traceId, chart, testId, title }: { traceId: number; chart: string; testId: string; title: string }) {
  return (
    <div className="chart-actions no-print">
      <a href={`/api/traces/${traceId}/export?format=chart-csv&chart=${chart}`} download data-testid={`csv-${chart}`}>
        CSV
      </a>
      <ChartPngButton chartTestId={testId} filename={`trace-${traceId}-${chart}.png`} title={title} />
    </div>
  );
}

/** The run's p99 (mean over its seeds) against the recorded p99. */
function runP99Change(run: RunRow, recordedP99: number | null): string {
  const v = runFigure(run, 'latency_ns', 'p99').value;
  return v !== null && recordedP99 ? signedPercent((v - recordedP99) / recordedP99) : NONE;
}

export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  const traceId = traceIdFromParam((await params).id);
  const d = await withDbOrNotFound((db) => gatherPostmortem(db, traceId));
  const s = d.stats;
  const api = `/api/traces/${traceId}/export`;
  const figures = [
    { id: 'page-requests', label: 'page requests', value: fmtCount(s.events.page_requests) },
    { id: 'groups', label: 'fault groups', value: fmtCount(s.groups.total) },
    { id: 'answered', label: 'answered', value: fmtCount(s.groups.answered) },
    { id: 'unanswered', label: 'unanswered', value: fmtCount(s.groups.unanswered) },
    { id: 'unrecoverable', label: 'unrecoverable faults', value: fmtCount(s.events.unrecoverable_faults) },
    { id: 'p50', label: 'latency p50', value: fmtNs(s.latency_ns.p50) },
    { id: 'p99', label: 'latency p99', value: fmtNs(s.latency_ns.p99) },
    { id: 'devices', label: 'devices / PASIDs', value: `${fmtCount(s.devices)} / ${fmtCount(s.pasids)}` },
    { id: 'span', label: 'time span', value: fmtNs(s.time_span_ns) },
  ];
  const cdfSeries: CdfSeries[] = [
    { name: 'recorded', points: d.cdf, color: RECORDED_COLOR },
    ...d.replay.runs.map((r) => ({ name: `run ${r.run.run_id} (${r.run.model})`, points: r.cdf, color: runColor(r.run.run_id), dashed: true })),
  ];
  const bands = annotationBands(d.annotations);
  const pngOf = `trace ${traceId} ${withoutControls(s.name)}`;
  return (
    <div className="grid" data-testid="report">
      <Card
        title="Postmortem report"
        span={12}
        subtitle={`Generated ${d.generated_at.replace('T', ' ').slice(0, 19)} UTC. Print this page, or download the report and its data.`}
        actions={<PrintButton />}
      >
        <ul className="report-downloads no-print" data-testid="report-downloads">
          <li>
            <a href={`${api}?format=md`} download data-testid="download-md">
              Markdown report
            </a>
          </li>
          <li>
            <a href={`${api}?format=html`} download data-testid="download-html">
              HTML report (self-contained)
            </a>
          </li>
          <li>
            <a href={`${api}?format=groups-csv`} download data-testid="download-groups-csv">
              Fault groups (CSV)
            </a>
          </li>
          <li>
            <a href={`${api}?format=chrome-json`} download data-testid="download-chrome-json">
              Chrome JSON trace (open in Perfetto)
            </a>
          </li>
          {CHART_CSV_NAMES.map((c) => (
            <li key={c}>
              <a href={`${api}?format=chart-csv&chart=${c}`} download data-testid={`download-chart-${c}`}>
                {c}.csv
              </a>
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Summary" span={12}>
        <dl className="figures" data-testid="report-figures">
          {figures.map((f) => (
            <div key={f.id} className="figure" data-testid={`report-figure-${f.id}`}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card title="Latency percentiles" span={6} subtitle="Nearest rank over answered groups; exact ns as `pritrace stats` prints them.">
        {s.groups.answered === 0 ? (
          <Empty>No answered groups.</Empty>
        ) : (
          <table data-testid="report-percentiles">
            <thead>
              <tr>
                <th scope="col">percentile</th>
                <th scope="col" className="num">
                  ns
                </th>
                <th scope="col" className="num">
                  readable
                </th>
              </tr>
            </thead>
            <tbody>
              {PERCENTILES.map(([key, label]) => (
                <tr key={key} data-testid={`report-pct-${key}`}>
                  <td>{label}</td>
                  <td className="num mono">
                    {s.latency_ns[key] === null ? '—' : Number.isInteger(s.latency_ns[key]) ? String(s.latency_ns[key]) : s.latency_ns[key]!.toFixed(1)}
                  </td>
                  <td className="num">{fmtNs(s.latency_ns[key])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card
        title="Latency histogram"
        span={6}
        actions={<ChartActions traceId={traceId} chart="histogram" testId="report-chart-histogram" title={`Latency histogram · ${pngOf}`} />}
      >
        {d.histogram.total === 0 ? (
          <Empty>No answered groups.</Empty>
        ) : (
          <div data-testid="report-chart-histogram">
            <LatencyHistogramChart bins={d.histogram.bins} total={d.histogram.total} groupsBase={groupsHref(traceId, { sort: 'latency', dir: 'desc' })} />
          </div>
        )}
      </Card>
      <Card
        title="Latency CDF"
        span={6}
        subtitle={d.replay.runs.length ? 'Recorded (solid) and saved replay runs (dashed).' : undefined}
        actions={<ChartActions traceId={traceId} chart="cdf" testId="report-chart-cdf" title={`Latency CDF · ${pngOf}`} />}
      >
        {d.cdf.length === 0 ? <Empty>No answered groups.</Empty> : <CdfChart series={cdfSeries} testId="report-chart-cdf" />}
      </Card>
      <Card
        title="Latency over time"
        span={6}
        subtitle={bands.length ? 'Shaded bands are the annotated time ranges.' : undefined}
        actions={<ChartActions traceId={traceId} chart="latency-over-time" testId="report-chart-latency-over-time" title={`Latency over time · ${pngOf}`} />}
      >
        {d.latency_over_time.buckets.length === 0 ? (
          <Empty>No answered groups.</Empty>
        ) : (
          <LatencyOverTimeChart
            buckets={d.latency_over_time.buckets}
            bucketNs={d.latency_over_time.bucket_ns}
            bands={bands}
            testId="report-chart-latency-over-time"
          />
        )}
      </Card>
      <Card
        title="Worst moments"
        span={12}
        subtitle={`Time buckets of ${fmtNs(d.latency_over_time.bucket_ns)} with the highest p99 latency (time since the trace's first event); each opens its groups, slowest first.`}
      >
        {d.latency_over_time.buckets.length === 0 ? (
          <Empty>No answered groups.</Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="report-worst-moments">
              <thead>
                <tr>
                  <th scope="col">from</th>
                  <th scope="col" className="num">
                    groups
                  </th>
                  <th scope="col" className="num">
                    p50
                  </th>
                  <th scope="col" className="num">
                    p99
                  </th>
                  <th scope="col" className="num">
                    max
                  </th>
                </tr>
              </thead>
              <tbody>
                {worstMoments(d.latency_over_time.buckets).map((b) => (
                  <tr key={b.t_ns}>
                    <td>
                      <Link
                        href={groupsHref(traceId, {
                          filter: { status: 'answered', range: { from_ns: BigInt(b.t_ns), to_ns: BigInt(b.t_ns + d.latency_over_time.bucket_ns) } },
                          sort: 'latency',
                          dir: 'desc',
                        })}
                        title="The groups of this time bucket, slowest first"
                      >
                        {fmtNs(b.t_ns)} – {fmtNs(b.t_ns + d.latency_over_time.bucket_ns)}
                      </Link>
                    </td>
                    <td className="num">{fmtCount(b.count)}</td>
                    <td className="num">{fmtNs(b.p50_ns)}</td>
                    <td className="num">{fmtNs(b.p99_ns)}</td>
                    <td className="num">{fmtNs(b.max_ns)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card
        title="Annotations"
        span={12}
        subtitle="In time order; notes without a time range last."
        actions={
          <Link className="no-print" href={`/traces/${traceId}/annotations`}>
            Add or edit
          </Link>
        }
      >
        {d.annotations.length === 0 ? (
          <Empty>No annotations on this trace yet.</Empty>
        ) : (
          <ol className="report-annotations" data-testid="report-annotations">
            {d.annotations.map((a) => (
              <li key={a.annotation_id} data-testid="report-annotation" data-annotation-id={a.annotation_id}>
                <div className="muted">
                  #{a.annotation_id} · <b>{withoutControls(a.author)}</b> · {annotationScope(a)} · {a.updated_at} UTC
                </div>
                <p className="annotation-text">{a.text}</p>
              </li>
            ))}
          </ol>
        )}
      </Card>
      <Card title="Devices" span={6} actions={<ChartActions traceId={traceId} chart="devices" testId="report-devices" title={`Devices · ${pngOf}`} />}>
        <BreakdownRows rows={d.devices.rows} label="device" testId="report-devices" />
      </Card>
      <Card title="PASIDs" span={6} actions={<ChartActions traceId={traceId} chart="pasids" testId="report-pasids" title={`PASIDs · ${pngOf}`} />}>
        <BreakdownRows rows={d.pasids.rows} label="PASID" testId="report-pasids" />
      </Card>
      <Card
        title="Replay comparison"
        span={12}
        subtitle={d.replay.omitted ? `${d.replay.omitted} older runs not shown.` : 'Saved replay runs against the recorded latency.'}
      >
        {d.replay.runs.length === 0 ? (
          <Empty>
            No saved replay runs. Run one on the <Link href={`/traces/${traceId}/replay`}>Replay</Link> page.
          </Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="report-replay">
              <thead>
                <tr>
                  <th scope="col">run</th>
                  <th scope="col">model</th>
                  <th scope="col">preset</th>
                  <th scope="col" className="num">
                    p50
                  </th>
                  <th scope="col" className="num">
                    p99
                  </th>
                  <th scope="col" className="num">
                    p99 vs recorded
                  </th>
                  <th scope="col" className="num">
                    drops
                  </th>
                  <th scope="col" className="no-print">
                    Perfetto
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.replay.runs.map(({ run }) => (
                  <tr key={run.run_id}>
                    <td className="mono">
                      <RunSwatch runId={run.run_id} />
                      {run.run_id}
                    </td>
                    <td>{run.model}</td>
                    <td>{run.preset}</td>
                    <td className="num">{fmtRunNs(run, 'latency_ns', 'p50')}</td>
                    <td className="num">{fmtRunNs(run, 'latency_ns', 'p99')}</td>
                    <td className="num">{runP99Change(run, s.latency_ns.p99)}</td>
                    <td className="num">{fmtCount(run.drops)}</td>
                    <td className="no-print">
                      <a href={`${api}?format=chrome-json&run=${run.run_id}`} download>
                        Chrome JSON
                      </a>{' '}
                      <a href={`${api}?format=groups-csv&run=${run.run_id}`} download data-testid={`download-run-groups-${run.run_id}`}>
                        Groups CSV
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

function BreakdownRows({
  rows,
  label,
  testId,
}: {
  rows: { key: string | number | null; groups: number; share: number; p50_ns: number | null; p99_ns: number | null }[];
  label: string;
  testId: string;
}) {
  if (rows.length === 0) return <Empty>None.</Empty>;
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{label}</th>
            <th scope="col" className="num">
              groups
            </th>
            <th scope="col" className="num">
              share
            </th>
            <th scope="col" className="num">
              p50
            </th>
            <th scope="col" className="num">
              p99
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={String(r.key)}>
              <td className="mono">{r.key === null ? 'none' : String(r.key)}</td>
              <td className="num">{fmtCount(r.groups)}</td>
              <td className="num">{fmtPercent(r.share)}</td>
              <td className="num">{fmtNs(r.p50_ns)}</td>
              <td className="num">{fmtNs(r.p99_ns)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
