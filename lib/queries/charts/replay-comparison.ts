// What the replay page compares: the trace's saved replay runs as JSON-safe rows, and for a
// selection of them their replayed latency CDFs next to the recorded one, with the recorded
// nearest-rank percentiles that the deltas are taken against.

import type { Db } from '../../db/instance.ts';
import type { HoldoutCalibration } from '../../replay/holdout.ts';
import { listReplayRuns, sideOfRun, type SavedRun } from '../replay-runs.ts';
import { cdfBand, intervalsOf, meanStages, type ReplayIntervals } from '../../replay/seed-samples.ts';
import { compareRuns, type WhatifResult } from '../../replay/whatif.ts';
import { latencyCdf, replayRunCdf, type CdfPoint } from './latency-cdf.ts';
import { latencyQuantiles, type Quantiles } from './latency-quantiles.ts';

export interface RunRow {
  run_id: number;
  model: string;
  preset: string;
  seed: number;
  overrides: string[];
  created_at: string;
  /** Engine time of the run, s. */
  seconds: number;
  groups: number;
  answered: number;
  latency_ns: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  device_latency_ns: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  lookup: { visits_mean: number | null; visits_p99: number | null; ns_mean: number | null; ns_p99: number | null };
  drops: number;
  lost_groups: number;
  /** resolution_ns: replayed times were truncated to the recorded timestamps' resolution (1: exact; older runs: absent). */
  calibration: { error_p50: number | null; error_p99: number | null; resolution_ns: number } | null;
  /** Every figure over the run's K seeds; null for runs saved before runs kept their seeds. */
  intervals: ReplayIntervals | null;
  /** Mean ns per answered group by stage (over the seeds when the run has them). */
  stage_time_ns: Record<string, number>;
  /** Percent of groups in the real svm_prq histogram's buckets (first seed); null for older runs. */
  svm_prq_buckets: [number, number, number] | null;
  /** Set when the calibration compares the engine with itself (a simulator-format trace). */
  calibration_note: string | null;
  /** Held-out calibration's split and the check part's recorded figures (errors: intervals.holdout_error); null without --holdout. */
  holdout: Pick<HoldoutCalibration, 'fraction' | 'fit_groups' | 'check_groups' | 'split_ns' | 'recorded'> | null;
}

export interface ReplayComparison {
  recorded: { answered: number; latency_ns: Quantiles; cdf: CdfPoint[] };
  /** band: at each quantile, where one more seed's latency lands (empty for runs saved before). */
  runs: { run: RunRow; cdf: CdfPoint[]; band: { q: number; lo: number; hi: number }[] }[];
}

function toRow(r: SavedRun): RunRow {
  const s = r.summary;
  return {
    run_id: r.run_id,
    model: r.model,
    preset: r.preset,
    seed: r.seed,
    overrides: r.overrides,
    created_at: r.created_at,
    seconds: r.seconds,
    groups: s.groups,
    answered: s.answered,
    latency_ns: { ...s.latency_ns },
    device_latency_ns: { ...s.device_latency_ns },
    lookup: { ...s.lookup },
    drops: s.drops,
    lost_groups: s.lost_groups,
    calibration: s.calibration
      ? { error_p50: s.calibration.error_p50, error_p99: s.calibration.error_p99, resolution_ns: s.calibration.resolution_ns ?? 1 }
      : null,
    intervals: s.seed_samples ? intervalsOf(s.seed_samples) : null,
    stage_time_ns: s.seed_samples ? meanStages(s.seed_samples) : { ...s.stage_time_ns },
    svm_prq_buckets: s.svm_prq_buckets ?? null,
    calibration_note: s.calibration_note ?? null,
    holdout: s.holdout_calibration
      ? {
          fraction: s.holdout_calibration.fraction,
          fit_groups: s.holdout_calibration.fit_groups,
          check_groups: s.holdout_calibration.check_groups,
          split_ns: s.holdout_calibration.split_ns,
          recorded: { ...s.holdout_calibration.recorded },
        }
      : null,
  };
}

export async function replayRuns(db: Db, traceId: number): Promise<RunRow[]> {
  return (await listReplayRuns(db, traceId)).map(toRow);
}

/** runIds that are not runs of this trace are ignored (a stale or edited URL). */
export async function replayComparison(db: Db, traceId: number, runIds: readonly number[], points = 400): Promise<ReplayComparison> {
  const runs = new Map((await listReplayRuns(db, traceId)).map((r) => [r.run_id, r]));
  const figures = await latencyQuantiles(db, traceId);
  const recordedCdf = await latencyCdf(db, traceId, {}, Math.min(points, 5000));
  const out: ReplayComparison = {
    recorded: { answered: figures.count, latency_ns: figures, cdf: recordedCdf },
    runs: [],
  };
  for (const id of runIds) {
    const run = runs.get(id);
    if (!run) continue;
    const band = run.summary.seed_samples ? cdfBand(run.summary.seed_samples) : [];
    out.runs.push({ run: toRow(run), cdf: await replayRunCdf(db, id, Math.min(points, 5000)), band });
  }
  return out;
}

export type RunsWhatif = { ok: true; result: WhatifResult } | { ok: false; reason: string };

/**
 * The verdict card's comparison: the first two of runIds (A, then B) compared over their
 * seeds — the same computation as `pritrace whatif`, on the same saved runs.
 */
export async function runsWhatif(db: Db, traceId: number, runIds: readonly number[]): Promise<RunsWhatif> {
  const runs = new Map((await listReplayRuns(db, traceId)).map((r) => [r.run_id, r]));
  const picked = runIds.map((id) => runs.get(id)).filter((r): r is SavedRun => r !== undefined);
  if (picked.length < 2) return { ok: false, reason: 'Compare two runs (pick a second one below, or run `pritrace whatif`) to get a verdict.' };
  const [a, b] = [sideOfRun(picked[0]!), sideOfRun(picked[1]!)];
  if (!a || !b) return { ok: false, reason: 'One of the two runs was saved before runs kept their seeds: run it again to compare with intervals.' };
  return { ok: true, result: compareRuns(a, b) };
}
