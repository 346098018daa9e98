// The postmortem as one self-contained HTML file: inline CSS, inline SVG charts (svg.ts), no
// script and nothing fetched — a Content-Security-Policy that forbids both says so to the
// browser as well. Called by `pritrace report --format html` and the report page's download.
// Same sections and figures as markdown.ts; every user or trace-file text goes through escapeHtml.

import { NONE } from '../core/display.ts';
import { escapeHtml as h } from './escape.ts';
import { annotationScope, calibrationCell, exactNs, human, percent, PERCENTILES, runLatency, signedPercent } from './format.ts';
import { runFigure } from '../queries/charts/run-figure.ts';
import type { PostmortemData } from './report-data.ts';
import { svgChart, type Band, type LineSeries } from './svg.ts';
import type { Breakdown } from '../queries/charts/breakdowns.ts';
import { PERCENTILE_COLORS, RECORDED_COLOR, runColor } from '../core/series-colors.ts';

const CSS = `
:root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --band: #f59e0b; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta, .note { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 8px 0 16px; }
svg .chart-title { font-size: 13px; font-weight: 600; fill: var(--fg); }
svg .tick, svg .legend, svg .band-label { font-size: 11px; fill: #374151; }
svg .axis-label { font-size: 11px; fill: var(--muted); }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { stroke: #9ca3af; stroke-width: 1; }
ol.annotations li { margin: 6px 0; }
.scope { font-weight: 600; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; } svg.chart, table { break-inside: avoid; } }
`;

function table(header: readonly string[], numeric: readonly boolean[], rows: readonly (readonly string[])[]): string {
  const cell = (tag: 'th' | 'td', text: string, i: number) => `<${tag}${numeric[i] ? ' class="n"' : ''}>${text}</${tag}>`;
  return [
    '<table>',
    `<thead><tr>${header.map((x, i) => cell('th', h(x), i)).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((x, i) => cell('td', x, i)).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

export function renderHtml(d: PostmortemData): string {
  const s = d.stats;
  const body: string[] = [];
  body.push(`<h1>Postmortem: ${h(d.trace.name)}</h1>`);
  body.push(
    `<p class="meta">Trace ${d.trace.trace_id} · format ${h(d.trace.format)}${d.trace.source_file ? ` · file ${h(d.trace.source_file)}` : ''} · ingested ${h(d.trace.ingested_at)} UTC · report generated ${h(d.generated_at)}</p>`,
  );

  body.push('<h2>Summary</h2>', '<dl class="summary">');
  for (const [k, v] of [
    [
      'Events',
      `${s.events.page_requests} page requests, ${s.events.page_responses} responses, ${s.events.unrecoverable_faults} unrecoverable faults, ${s.events.context} context, ${s.events.other} other`,
    ],
    [
      'Groups',
      `${s.groups.total} (${s.groups.answered} answered, ${s.groups.unanswered} unanswered, ${s.groups.incomplete} incomplete, ${s.groups.orphan_responses} orphan responses, ${s.groups.stop_markers} stop markers)`,
    ],
    ['Response codes', `${s.codes.success} success, ${s.codes.invalid} invalid, ${s.codes.failure} failure`],
    ['Devices / PASIDs', `${s.devices} / ${s.pasids}`],
    ['Time span', human(s.time_span_ns)],
    ['Lost events', `${s.events.lost_events} (${s.events.lost_markers} markers)`],
    ['Bad lines', String(s.events.bad_lines)],
  ] as const) {
    body.push(`<dt>${h(k)}</dt><dd>${h(v)}</dd>`);
  }
  body.push('</dl>');

  body.push(
    '<h2>Latency percentiles</h2>',
    '<p class="note">Nearest-rank percentiles over answered groups, in integer nanoseconds (the figures of <code>pritrace stats</code>).</p>',
  );
  body.push(
    table(
      ['measure', ...PERCENTILES.map(([, label]) => `${label} (ns)`)],
      [false, ...PERCENTILES.map(() => true)],
      [
        [h('latency (response − last-page request)'), ...PERCENTILES.map(([k]) => h(exactNs(s.latency_ns[k])))],
        [h('span (response − first request)'), ...PERCENTILES.map(([k]) => h(exactNs(s.span_ns[k])))],
      ],
    ),
  );

  body.push('<h2>Charts</h2>');
  if (d.histogram.total === 0) body.push('<p>No answered groups.</p>');
  else body.push(histogramChart(d), cdfChart(d), overTimeChart(d));

  body.push(breakdownSection('Devices', 'device', d.devices), breakdownSection('PASIDs', 'PASID', d.pasids));

  body.push('<h2>Annotations</h2>');
  if (d.annotations.length === 0) body.push('<p>No annotations.</p>');
  else {
    body.push('<ol class="annotations">');
    for (const a of d.annotations) {
      const edited = a.updated_at !== a.created_at ? `, edited ${h(a.updated_at)}` : '';
      body.push(
        `<li><span class="scope">${h(annotationScope(a))}</span> — ${h(a.author)} <span class="meta">(${h(a.created_at)} UTC${edited})</span><div class="text">${h(a.text)}</div></li>`,
      );
    }
    body.push('</ol>');
  }

  body.push('<h2>Replay comparison</h2>');
  if (d.replay.runs.length === 0) body.push('<p>No saved replay runs (<code>pritrace replay TRACE --model per-device|domain-wide</code>).</p>');
  else {
    const rec = s.latency_ns;
    const delta = (v: number | null) => (v === null || rec.p99 === null || rec.p99 === 0 ? NONE : signedPercent((v - rec.p99) / rec.p99));
    body.push(
      '<p class="note">Replayed latency (response − report of the last-page request) of each saved run next to the recording: the mean over its seeds ± half the range where one more seed lands, as on the replay page; Δ p99 is relative to the recorded p99.</p>',
    );
    body.push(
      table(
        [
          'run',
          'model',
          'preset',
          'seed',
          'overrides',
          'p50 (ns)',
          'p90 (ns)',
          'p99 (ns)',
          'max (ns)',
          'Δ p99',
          'calibration error p50 / p99',
          'drops',
          'lost groups',
        ],
        [false, false, false, true, false, true, true, true, true, true, true, true, true],
        [
          ['recorded', NONE, NONE, NONE, NONE, exactNs(rec.p50), exactNs(rec.p90), exactNs(rec.p99), exactNs(rec.max), NONE, NONE, NONE, NONE],
          ...d.replay.runs.map(({ run: r }) => [
            String(r.run_id),
            r.model,
            r.preset,
            String(r.seed),
            r.overrides.length ? r.overrides.join(', ') : NONE,
            runLatency(r, 'p50'),
            runLatency(r, 'p90'),
            runLatency(r, 'p99'),
            runLatency(r, 'max'),
            delta(runFigure(r, 'latency_ns', 'p99').value),
            calibrationCell(r),
            String(r.drops),
            String(r.lost_groups),
          ]),
        ].map((row) => row.map(h)),
      ),
    );
    if (d.replay.omitted > 0) body.push(`<p class="note">${d.replay.omitted} older runs not shown.</p>`);
  }

  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Postmortem: ${h(d.trace.name)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body><main>',
    ...body,
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}

const countFormat = (v: number) => (v >= 10_000 ? `${Number((v / 1000).toPrecision(3))}k` : String(v));

function histogramChart(d: PostmortemData): string {
  const bins = d.histogram.bins;
  const lo = Math.min(...bins.map((b) => (b.lower_ns > 0 ? b.lower_ns : b.upper_ns)));
  const hi = Math.max(...bins.map((b) => b.upper_ns));
  return svgChart({
    title: `Latency histogram (${d.histogram.total} answered groups)`,
    x: { kind: 'log', min: lo, max: hi, label: 'latency (response − last-page request)', format: human },
    y: { kind: 'linear', min: 0, max: Math.max(1, ...bins.map((b) => b.count)), label: 'groups', format: countFormat },
    series: [{ kind: 'bars', name: 'groups', bars: bins.map((b) => ({ x0: Math.max(b.lower_ns, lo), x1: b.upper_ns, y: b.count })) }],
  });
}

function cdfChart(d: PostmortemData): string {
  const series: LineSeries[] = [
    { kind: 'line', name: 'recorded', step: true, color: RECORDED_COLOR, points: d.cdf.map((p) => [p.latency_ns, p.fraction] as const) },
    ...d.replay.runs.map(({ run, cdf }): LineSeries => ({
      kind: 'line',
      name: `run ${run.run_id} ${run.model}`,
      step: true,
      color: runColor(run.run_id),
      dashed: true,
      points: cdf.map((p) => [p.latency_ns, p.fraction] as const),
    })),
  ];
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const positive = xs.filter((v) => v > 0);
  return svgChart({
    title: d.replay.runs.length ? 'Latency CDF: recorded and replayed' : 'Latency CDF',
    x: { kind: 'log', min: positive.length ? Math.min(...positive) : 1, max: Math.max(2, ...xs), label: 'latency', format: human },
    y: { kind: 'linear', min: 0, max: 1, label: 'fraction of groups ≤ latency', format: (v) => percent(v, 0) },
    series,
  });
}

function overTimeChart(d: PostmortemData): string {
  const o = d.latency_over_time;
  const span = Math.max(o.bucket_ns, d.trace.span_ns ?? 0, ...o.buckets.map((b) => b.t_ns + o.bucket_ns));
  const bands: Band[] = d.annotations
    .map((a, i) => ({ a, i }))
    .filter(({ a }) => a.start_offset_ns !== null && a.end_offset_ns !== null)
    .map(({ a, i }) => ({ x0: a.start_offset_ns!, x1: a.end_offset_ns!, label: `#${i + 1} ${a.author}: ${a.text}` }));
  return svgChart({
    title: 'Latency over time (annotations shaded)',
    x: { kind: 'linear', min: 0, max: span, label: "time since the trace's first event", format: human },
    y: { kind: 'linear', min: 0, max: Math.max(1, ...o.buckets.map((b) => b.p99_ns)), label: 'latency', format: human },
    series: [
      { kind: 'line', name: 'p50', color: PERCENTILE_COLORS.p50, points: o.buckets.map((b) => [b.t_ns + o.bucket_ns / 2, b.p50_ns] as const) },
      { kind: 'line', name: 'p99', color: PERCENTILE_COLORS.p99, points: o.buckets.map((b) => [b.t_ns + o.bucket_ns / 2, b.p99_ns] as const) },
    ],
    bands,
  });
}

function breakdownSection(title: string, key: string, b: Breakdown): string {
  if (b.rows.length === 0) return '';
  return [
    `<h2>${h(title)}</h2>`,
    table(
      [key, 'page requests', 'share', 'groups', 'answered', 'unanswered', 'p50 (ns)', 'p99 (ns)', 'max (ns)'],
      [false, true, true, true, true, true, true, true, true],
      b.rows.map((r) =>
        [
          r.key === null ? '(none)' : String(r.key),
          String(r.page_requests),
          percent(r.share),
          String(r.groups),
          String(r.answered),
          String(r.unanswered),
          exactNs(r.p50_ns),
          exactNs(r.p99_ns),
          exactNs(r.max_ns),
        ].map(h),
      ),
    ),
    b.omitted > 0 ? `<p class="note">${b.omitted} more not shown.</p>` : '',
  ].join('\n');
}
