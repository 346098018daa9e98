// CSV exports of a postmortem: the trace's fault groups (one row per fault_groups row, streamed
// page by page through an Emit callback, since a trace can hold millions), a replay run's groups,
// and the data behind
// each chart of the report (small, built from PostmortemData). Called by `pritrace export` and
// the report page's downloads. RFC 4180 with CRLF; exact ns times and integers stay exact.

import { csvRow } from './escape.ts';
import { DEFAULT_PAGE_ROWS, FAULT_GROUP_COLUMNS, forEachFaultGroupPage, forEachReplayResultPage, type Emit } from './paged-rows.ts';
import type { PostmortemData } from './report-data.ts';
import type { Db } from '../db/instance.ts';

/** Streams the trace's fault groups as CSV (header + one row per group, all statuses); returns the row count. */
export async function writeFaultGroupsCsv(db: Db, traceId: number, emit: Emit, pageRows = DEFAULT_PAGE_ROWS): Promise<{ rows: number }> {
  await emit(csvRow(FAULT_GROUP_COLUMNS));
  const rows = await forEachFaultGroupPage(db, traceId, (page) => emit(page.map((g) => csvRow(FAULT_GROUP_COLUMNS.map((c) => g[c]))).join('')), pageRows);
  return { rows };
}

/** Columns of `pritrace export TRACE --format groups-csv --run N`: times in ns on the trace clock. */
export const REPLAY_GROUP_COLUMNS = [
  'group_index',
  'iommu',
  'device',
  'pasid',
  'prgi',
  'requested_ns',
  'reported_ns',
  'response_ns',
  'done_ns',
  'latency_ns',
  'device_latency_ns',
  'longest_stage',
  'lookup_visits',
  'lookup_ns',
  'worker',
] as const;

const REPLAY_GROUP_SELECT = `group_index, iommu, device, pasid, prgi, arrival_ts_ns AS requested_ns, reported_ts_ns AS reported_ns,
  response_ts_ns AS response_ns, done_ts_ns AS done_ns, latency_ns, device_latency_ns, longest_stage, lookup_visits, lookup_ns, worker`;

/** A run's replayed groups as CSV (requested = the device generated the last-page request). */
export async function writeReplayGroupsCsv(db: Db, runId: number, emit: Emit): Promise<{ rows: number }> {
  await emit(csvRow(REPLAY_GROUP_COLUMNS));
  const rows = await forEachReplayResultPage<Record<string, string | number | bigint | null>>(db, runId, REPLAY_GROUP_SELECT, (page) =>
    emit(page.map((g) => csvRow(REPLAY_GROUP_COLUMNS.map((c) => g[c]))).join('')),
  );
  return { rows };
}

export const CHART_CSV_NAMES = ['histogram', 'cdf', 'latency-over-time', 'devices', 'pasids', 'annotations', 'replay-runs', 'replay-cdf'] as const;
export type ChartCsvName = (typeof CHART_CSV_NAMES)[number];

export function isChartCsvName(name: string): name is ChartCsvName {
  return (CHART_CSV_NAMES as readonly string[]).includes(name);
}

/** The data behind one chart or table of the report, as CSV text. */
export function chartCsv(d: PostmortemData, name: ChartCsvName): string {
  const lines: string[] = [];
  const row = (...v: (string | number | bigint | boolean | null)[]) => lines.push(csvRow(v));
  switch (name) {
    case 'histogram':
      row('lower_ns', 'upper_ns', 'groups');
      for (const b of d.histogram.bins) row(b.lower_ns, b.upper_ns, b.count);
      break;
    case 'cdf':
      row('latency_ns', 'fraction');
      for (const p of d.cdf) row(p.latency_ns, p.fraction);
      break;
    case 'latency-over-time':
      row('offset_ns', 'bucket_ns', 'groups', 'p50_ns', 'p99_ns', 'max_ns');
      for (const b of d.latency_over_time.buckets) row(b.t_ns, d.latency_over_time.bucket_ns, b.count, b.p50_ns, b.p99_ns, b.max_ns);
      break;
    case 'devices':
    case 'pasids': {
      row(
        name === 'devices' ? 'device' : 'pasid',
        'page_requests',
        'unrecoverable_faults',
        'share',
        'groups',
        'answered',
        'unanswered',
        'p50_ns',
        'p99_ns',
        'max_ns',
      );
      for (const r of d[name].rows)
        row(r.key, r.page_requests, r.unrecoverable_faults, r.share, r.groups, r.answered, r.unanswered, r.p50_ns, r.p99_ns, r.max_ns);
      break;
    }
    case 'annotations':
      row('annotation_id', 'start_ns', 'end_ns', 'start_offset_ns', 'end_offset_ns', 'device', 'pasid', 'author', 'text', 'created_at', 'updated_at');
      for (const a of d.annotations)
        row(a.annotation_id, a.start_ns, a.end_ns, a.start_offset_ns, a.end_offset_ns, a.device, a.pasid, a.author, a.text, a.created_at, a.updated_at);
      break;
    case 'replay-runs':
      row(
        'run_id',
        'model',
        'preset',
        'seed',
        'overrides',
        'groups',
        'answered',
        'p50_ns',
        'p90_ns',
        'p99_ns',
        'max_ns',
        'device_p99_ns',
        'lookup_visits_mean',
        'lookup_ns_mean',
        'drops',
        'lost_groups',
        'calibration_error_p50',
        'calibration_error_p99',
        'holdout_fraction',
        'holdout_error_p50',
        'holdout_error_p99',
      );
      for (const { run: r } of d.replay.runs) {
        row(
          r.run_id,
          r.model,
          r.preset,
          r.seed,
          r.overrides.join(' '),
          r.groups,
          r.answered,
          r.latency_ns.p50,
          r.latency_ns.p90,
          r.latency_ns.p99,
          r.latency_ns.max,
          r.device_latency_ns.p99,
          r.lookup.visits_mean,
          r.lookup.ns_mean,
          r.drops,
          r.lost_groups,
          r.calibration?.error_p50 ?? null,
          r.calibration?.error_p99 ?? null,
          r.holdout?.fraction ?? null,
          r.intervals?.holdout_error?.p50?.value ?? null,
          r.intervals?.holdout_error?.p99?.value ?? null,
        );
      }
      break;
    case 'replay-cdf':
      row('series', 'latency_ns', 'fraction');
      for (const p of d.cdf) row('recorded', p.latency_ns, p.fraction);
      for (const { run, cdf } of d.replay.runs) for (const p of cdf) row(`run ${run.run_id}`, p.latency_ns, p.fraction);
      break;
  }
  return lines.join('');
}
