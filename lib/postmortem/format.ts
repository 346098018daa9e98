// Number and time formatting shared by the Markdown and HTML reports, so both print the same
// figures the same way, in the convention the pages use too (core/display.ts). Called by markdown.ts and html.ts. Percentiles are printed as exact
// integer nanoseconds (what `pritrace stats --json` says) next to a human unit, never rounded
// in place of the exact value.

import { NONE, percentText, signedPercentText } from '../core/display.ts';
import { formatDurationNs } from '../core/time.ts';
import type { LatencyBucket } from '../queries/charts/latency-over-time.ts';
import type { RunRow } from '../queries/charts/replay-comparison.ts';
import { runFigure } from '../queries/charts/run-figure.ts';
import type { ReportAnnotation } from './report-data.ts';

export const PERCENTILES = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
  ['mean', 'mean'],
] as const;

/** Exact ns (integers as digits; a mean to one decimal), or NONE for no value. */
export function exactNs(v: number | null | undefined): string {
  if (v === null || v === undefined) return NONE;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** A run's latency percentile as the replay page shows it: the mean over its seeds ± the spread, exact ns. */
export function runLatency(r: RunRow, p: 'p50' | 'p90' | 'p99' | 'max'): string {
  const f = runFigure(r, 'latency_ns', p);
  return f.spread === null ? exactNs(f.value) : `${exactNs(f.value)} ± ${exactNs(f.spread)}`;
}

/** A run's calibration errors (p50 / p99), then, for a run fitted on part of the trace, the errors on the held-out rest (mean over its seeds, as on the replay page). */
export function calibrationCell(r: RunRow): string {
  const all = r.calibration ? `${signedPercentText(r.calibration.error_p50)} / ${signedPercentText(r.calibration.error_p99)}` : NONE;
  const held = r.intervals?.holdout_error;
  if (!r.holdout || !held) return all;
  return `${all}; held out (fitted on the first ${percentText(r.holdout.fraction)}, ${r.holdout.check_groups} groups checked): ${signedPercentText(held.p50?.value ?? null)} / ${signedPercentText(held.p99?.value ?? null)}`;
}

export function human(v: number | null | undefined): string {
  return v === null || v === undefined ? NONE : formatDurationNs(v);
}

export const percent = percentText;
export const signedPercent = signedPercentText;

/** Time since the trace's first event, for people: "+1.25 ms". */
export function offset(ns: number | null): string {
  return ns === null ? NONE : `+${formatDurationNs(ns)}`;
}

/** When and what an annotation marks, as plain (unescaped) text. */
export function annotationScope(a: ReportAnnotation): string {
  const parts: string[] = [];
  if (a.start_offset_ns === null) parts.push('whole trace');
  else if (a.start_offset_ns === a.end_offset_ns) parts.push(`at ${offset(a.start_offset_ns)}`);
  else parts.push(`${offset(a.start_offset_ns)} → ${offset(a.end_offset_ns)}`);
  if (a.device !== null) parts.push(`device ${a.device}`);
  if (a.pasid !== null) parts.push(`PASID ${a.pasid}`);
  return parts.join(' · ');
}

/** The report's worst moments: the time buckets with the highest p99, earliest first among equals. */
export function worstMoments(buckets: readonly LatencyBucket[], n = 5): LatencyBucket[] {
  return [...buckets].sort((a, b) => b.p99_ns - a.p99_ns || a.t_ns - b.t_ns).slice(0, n);
}
