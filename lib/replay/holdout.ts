// Held-out calibration: service times estimated on the earlier part of a recorded trace, the
// replay checked on the later part only. Trace-driven service times (estimateServiceTimes)
// checked on the groups they were estimated from are circular (replay-physics §8); a split by
// time is not. The store layer splits the trace's answered groups here and hands the engine
// the check part's recorded latencies; the engine picks its own groups of the check part by
// their recorded arrival. Pure: no I/O.

import { ReplayConfigError } from '../core/errors.ts';
import { percentilesOf, relativeError } from './percentiles.ts';
import type { RecordedGroupTimes } from './service-time.ts';

export interface HoldoutSplit {
  /** Share of the answered groups asked for the fit part (the CLI's --holdout F). */
  fraction: number;
  /** First last-page request time (trace clock, ns) of the check part: groups reported before
   *  it are fitted, the others checked. Ties at the cut all go to the check part. */
  splitNs: bigint;
  fit: RecordedGroupTimes[];
  check: RecordedGroupTimes[];
}

export function checkHoldoutFraction(fraction: number): number {
  if (!Number.isFinite(fraction) || fraction <= 0 || fraction >= 1)
    throw new ReplayConfigError('holdout', `must be a fraction strictly between 0 and 1, got ${fraction}`);
  return fraction;
}

/**
 * Splits answered groups by the time of their last-page request (what the engine knows a
 * group by, and the start of its recorded latency): the earliest ⌊fraction · n⌉ form the fit
 * part — unless groups tie at the cut, which then all go to the check part, so that one time
 * separates the parts.
 */
export function splitHoldout(groups: readonly RecordedGroupTimes[], fraction: number): HoldoutSplit {
  checkHoldoutFraction(fraction);
  const sorted = [...groups].sort((a, b) => (a.lastRequestNs < b.lastRequestNs ? -1 : a.lastRequestNs > b.lastRequestNs ? 1 : 0));
  const n = sorted.length;
  const cut = Math.round(fraction * n);
  if (cut < 1 || cut >= n) throw new ReplayConfigError('holdout', `${fraction} of ${n} answered groups leaves the fit or the check part empty`);
  const splitNs = sorted[cut]!.lastRequestNs;
  const fit = sorted.filter((g) => g.lastRequestNs < splitNs);
  if (fit.length === 0) throw new ReplayConfigError('holdout', `every group up to the cut reports at the same time as the cut: no group left to fit`);
  return { fraction, splitNs, fit, check: sorted.slice(fit.length) };
}

/** What a replay needs to report on the check part: see ReplayExtras.holdout. */
export interface HoldoutCheck {
  fraction: number;
  fit_groups: number;
  check_groups: number;
  /** The split in engine time (ns after the input's first request). */
  split_ns: number;
  /** The check part's recorded latencies (response − last-page request). */
  recordedLatenciesNs: ArrayLike<number>;
}

/** Recorded response − last-page request latencies of groups. */
export function recordedLatencies(groups: readonly RecordedGroupTimes[]): Float64Array {
  return Float64Array.from(groups, (g) => Number(g.responseNs - g.lastRequestNs));
}

/** The engine's extras for a split: the split time made relative to the input's origin. */
export function holdoutCheck(split: HoldoutSplit, originNs: bigint): HoldoutCheck {
  return {
    fraction: split.fraction,
    fit_groups: split.fit.length,
    check_groups: split.check.length,
    split_ns: Number(split.splitNs - originNs),
    recordedLatenciesNs: recordedLatencies(split.check),
  };
}

export interface HoldoutCalibration {
  fraction: number;
  /** Answered recorded groups the service times were estimated on (reported before split_ns). */
  fit_groups: number;
  /** Answered recorded groups compared (reported at or after split_ns). */
  check_groups: number;
  /** Replayed groups, answered in the replay, whose recorded last-page request is at or after split_ns. */
  replayed_groups: number;
  split_ns: number;
  recorded: { p50: number | null; p90: number | null; p99: number | null };
  replayed: { p50: number | null; p90: number | null; p99: number | null };
  error_p50: number | null;
  error_p90: number | null;
  error_p99: number | null;
}

/**
 * Recorded vs replayed p50/p90/p99 on the check part. The replayed side is every group whose
 * recorded last-page arrival is at or after the split (NaN latency: lost, left out); the two
 * sides are distributions, not aligned groups, as in calibrate().
 */
export function holdoutCalibration(check: HoldoutCheck, replayedLatencyNs: Float64Array, arrivalNs: Float64Array): HoldoutCalibration {
  // A typed array, so the percentiles take their counting path (whole ns) instead of copying
  // a million boxed numbers into a selection.
  const all = new Float64Array(replayedLatencyNs.length);
  let n = 0;
  for (let g = 0; g < replayedLatencyNs.length; g++) {
    const v = replayedLatencyNs[g]!;
    if (arrivalNs[g]! >= check.split_ns && v === v) all[n++] = v;
  }
  const picked = all.subarray(0, n);
  const qs = [0.5, 0.9, 0.99];
  const [r50, r90, r99] = percentilesOf(check.recordedLatenciesNs, qs);
  const [p50, p90, p99] = percentilesOf(picked, qs);
  const recorded = { p50: r50 ?? null, p90: r90 ?? null, p99: r99 ?? null };
  const replayed = { p50: p50 ?? null, p90: p90 ?? null, p99: p99 ?? null };
  return {
    fraction: check.fraction,
    fit_groups: check.fit_groups,
    check_groups: check.check_groups,
    replayed_groups: picked.length,
    split_ns: check.split_ns,
    recorded,
    replayed,
    error_p50: relativeError(recorded.p50, replayed.p50),
    error_p90: relativeError(recorded.p90, replayed.p90),
    error_p99: relativeError(recorded.p99, replayed.p99),
  };
}
