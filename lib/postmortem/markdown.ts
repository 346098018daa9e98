// The postmortem as Markdown: summary, percentile table (exact ns, equal to `pritrace stats`),
// a text histogram that renders anywhere, the worst moments, device/PASID tables, annotations
// in time order and the replay comparison. Called by `pritrace report --format md` and the
// report page's download. Every text that came from a user or a trace file is escaped.

import { NONE } from '../core/display.ts';
import { escapeMarkdown as md } from './escape.ts';
import { annotationScope, calibrationCell, exactNs, human, offset, percent, PERCENTILES, runLatency, signedPercent, worstMoments } from './format.ts';
import { runFigure } from '../queries/charts/run-figure.ts';
import type { PostmortemData } from './report-data.ts';
import type { Breakdown } from '../queries/charts/breakdowns.ts';

const HISTOGRAM_BAR = 40;

function table(header: readonly string[], align: readonly ('l' | 'r')[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function renderMarkdown(d: PostmortemData): string {
  const s = d.stats;
  const out: string[] = [];
  out.push(`# Postmortem: ${md(d.trace.name)}`, '');
  out.push(
    `Trace ${d.trace.trace_id} · format ${md(d.trace.format)}${d.trace.source_file ? ` · file ${md(d.trace.source_file)}` : ''} · ingested ${md(d.trace.ingested_at)} UTC · report generated ${md(d.generated_at)}`,
    '',
  );

  out.push('## Summary', '');
  out.push(
    ...table(
      ['', ''],
      ['l', 'l'],
      [
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
      ],
    ),
    '',
  );

  out.push('## Latency percentiles', '');
  out.push('Nearest-rank percentiles over answered groups, in integer nanoseconds (the figures of `pritrace stats`).', '');
  out.push(
    ...table(
      ['measure', ...PERCENTILES.map(([, label]) => `${label} (ns)`)],
      ['l', ...PERCENTILES.map(() => 'r' as const)],
      [
        ['latency (response − last-page request)', ...PERCENTILES.map(([k]) => exactNs(s.latency_ns[k]))],
        ['span (response − first request)', ...PERCENTILES.map(([k]) => exactNs(s.span_ns[k]))],
      ],
    ),
    '',
    `In words: latency p50 ${human(s.latency_ns.p50)}, p99 ${human(s.latency_ns.p99)}, p99.9 ${human(s.latency_ns.p999)}, max ${human(s.latency_ns.max)}.`,
    '',
  );

  out.push('## Latency histogram', '');
  if (d.histogram.total === 0) out.push('No answered groups.', '');
  else {
    out.push(`Answered groups by latency, ${d.histogram.bins_per_decade} logarithmic buckets per decade.`, '', '```text');
    const peak = Math.max(...d.histogram.bins.map((b) => b.count));
    const labels = d.histogram.bins.map((b) => `${human(b.lower_ns)} – ${human(b.upper_ns)}`);
    const width = Math.max(...labels.map((l) => l.length));
    d.histogram.bins.forEach((b, i) => {
      const bar = '█'.repeat(Math.round((b.count / peak) * HISTOGRAM_BAR));
      out.push(`${labels[i]!.padStart(width)} │${bar.padEnd(HISTOGRAM_BAR)} ${b.count}`);
    });
    out.push('```', '');
  }

  const worst = worstMoments(d.latency_over_time.buckets);
  if (worst.length) {
    out.push('## Worst moments', '');
    out.push(`Time buckets of ${human(d.latency_over_time.bucket_ns)} with the highest p99 latency (time since the trace's first event).`, '');
    out.push(
      ...table(
        ['from', 'groups', 'p50 (ns)', 'p99 (ns)', 'max (ns)'],
        ['l', 'r', 'r', 'r', 'r'],
        worst.map((b) => [offset(b.t_ns), String(b.count), exactNs(b.p50_ns), exactNs(b.p99_ns), exactNs(b.max_ns)]),
      ),
      '',
    );
  }

  out.push(...breakdownSection('Devices', 'device', d.devices), ...breakdownSection('PASIDs', 'PASID', d.pasids));

  out.push('## Annotations', '');
  if (d.annotations.length === 0) out.push('No annotations.', '');
  else {
    d.annotations.forEach((a, i) => {
      const edited = a.updated_at !== a.created_at ? `, edited ${md(a.updated_at)}` : '';
      out.push(`${i + 1}. **${md(annotationScope(a))}** — ${md(a.author)} (${md(a.created_at)} UTC${edited}): ${md(a.text)}`);
    });
    out.push('');
  }

  out.push('## Replay comparison', '');
  if (d.replay.runs.length === 0) out.push('No saved replay runs (`pritrace replay TRACE --model per-device|domain-wide`).', '');
  else {
    const rec = s.latency_ns;
    const delta = (v: number | null) => (v === null || rec.p99 === null || rec.p99 === 0 ? NONE : signedPercent((v - rec.p99) / rec.p99));
    out.push(
      'Replayed latency (response − report of the last-page request) of each saved run next to the recording: the mean over its seeds ± half the range where one more seed lands, as on the replay page; Δ p99 is relative to the recorded p99.',
      '',
    );
    out.push(
      ...table(
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
        ['l', 'l', 'l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        [
          ['recorded', NONE, NONE, NONE, NONE, exactNs(rec.p50), exactNs(rec.p90), exactNs(rec.p99), exactNs(rec.max), NONE, NONE, NONE, NONE],
          ...d.replay.runs.map(({ run: r }) => [
            String(r.run_id),
            md(r.model),
            md(r.preset),
            String(r.seed),
            r.overrides.length ? md(r.overrides.join(', ')) : NONE,
            runLatency(r, 'p50'),
            runLatency(r, 'p90'),
            runLatency(r, 'p99'),
            runLatency(r, 'max'),
            delta(runFigure(r, 'latency_ns', 'p99').value),
            calibrationCell(r),
            String(r.drops),
            String(r.lost_groups),
          ]),
        ],
      ),
      '',
    );
    if (d.replay.omitted > 0) out.push(`${d.replay.omitted} older runs not shown.`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function breakdownSection(title: string, key: string, b: Breakdown): string[] {
  if (b.rows.length === 0) return [];
  return [
    `## ${title}`,
    '',
    ...table(
      [key, 'page requests', 'share', 'groups', 'answered', 'unanswered', 'p50 (ns)', 'p99 (ns)', 'max (ns)'],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      b.rows.map((r) => [
        r.key === null ? '(none)' : md(String(r.key)),
        String(r.page_requests),
        percent(r.share),
        String(r.groups),
        String(r.answered),
        String(r.unanswered),
        exactNs(r.p50_ns),
        exactNs(r.p99_ns),
        exactNs(r.max_ns),
      ]),
    ),
    '',
    ...(b.omitted > 0 ? [`${b.omitted} more not shown.`, ''] : []),
  ];
}
