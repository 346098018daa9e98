// Everything a postmortem of one trace shows, in one call: `pritrace stats` figures, latency
// histogram/CDF/over-time data, device and PASID breakdowns, annotations in time order, saved
// replay runs. Called by markdown.ts, html.ts, csv.ts, the CLI and the report page. The chart
// SQL is the dashboard's own (lib/queries/charts), so every number equals the page's; the
// result is JSON-safe (exact trace-clock times travel as decimal strings).

import { listAnnotations, type Annotation } from '../db/annotations.ts';
import type { Db } from '../db/instance.ts';
import { deviceBreakdown, pasidBreakdown, type Breakdown } from '../queries/charts/breakdowns.ts';
import { latencyCdf, type CdfPoint } from '../queries/charts/latency-cdf.ts';
import { latencyHistogram, type LatencyHistogram } from '../queries/charts/latency-histogram.ts';
import { latencyOverTime, type LatencyOverTime } from '../queries/charts/latency-over-time.ts';
import { replayComparison, replayRuns, type RunRow } from '../queries/charts/replay-comparison.ts';
import { traceHeader, type TraceHeader } from '../queries/charts/trace-header.ts';
import { traceStats, type TraceStats } from '../queries/trace-stats.ts';

export interface PostmortemOptions {
  /** When the report was made; injected so that a report can be reproduced byte for byte. */
  generatedAt?: Date;
  binsPerDecade?: number;
  cdfPoints?: number;
  /** Rows of the device and PASID tables. */
  breakdownLimit?: number;
  /** Saved runs compared: the newest maxRuns, oldest first; older ones are counted in `replay.omitted`. */
  maxRuns?: number;
}

/** An annotation with its exact trace-clock times as decimal strings (bigint is not JSON). */
export type ReportAnnotation = Omit<Annotation, 'start_ns' | 'end_ns'> & { start_ns: string | null; end_ns: string | null };

export interface ReportRun {
  run: RunRow;
  cdf: CdfPoint[];
}

export interface PostmortemData {
  /** ISO 8601, UTC. */
  generated_at: string;
  trace: TraceHeader;
  stats: TraceStats;
  histogram: LatencyHistogram;
  cdf: CdfPoint[];
  latency_over_time: LatencyOverTime;
  devices: Breakdown;
  pasids: Breakdown;
  annotations: ReportAnnotation[];
  replay: { runs: ReportRun[]; omitted: number };
}

export const POSTMORTEM_DEFAULTS = { binsPerDecade: 10, cdfPoints: 200, breakdownLimit: 20, maxRuns: 8 } as const;

export async function gatherPostmortem(db: Db, traceId: number, options: PostmortemOptions = {}): Promise<PostmortemData> {
  const o = { ...POSTMORTEM_DEFAULTS, ...options };
  const trace = await traceHeader(db, traceId);
  const stats = await traceStats(db, traceId);
  const histogram = await latencyHistogram(db, traceId, {}, o.binsPerDecade);
  const cdf = await latencyCdf(db, traceId, {}, o.cdfPoints);
  const overTime = await latencyOverTime(db, traceId);
  const devices = await deviceBreakdown(db, traceId, o.breakdownLimit);
  const pasids = await pasidBreakdown(db, traceId, o.breakdownLimit);
  const annotations = (await listAnnotations(db, traceId)).map((a) => ({
    ...a,
    start_ns: a.start_ns === null ? null : a.start_ns.toString(),
    end_ns: a.end_ns === null ? null : a.end_ns.toString(),
  }));
  const all = await replayRuns(db, traceId);
  const chosen = all.slice(-o.maxRuns).map((r) => r.run_id);
  const comparison = chosen.length ? await replayComparison(db, traceId, chosen, o.cdfPoints) : { runs: [] };
  return {
    generated_at: (o.generatedAt ?? new Date()).toISOString(),
    trace,
    stats,
    histogram,
    cdf,
    latency_over_time: overTime,
    devices,
    pasids,
    annotations,
    replay: { runs: comparison.runs, omitted: all.length - chosen.length },
  };
}
