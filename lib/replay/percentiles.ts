// Nearest-rank percentiles — the same definition as SQL quantile_disc, so a replayed p99
// and a recorded p99 from lib/queries are comparable: the value at index ceil(q·n) − 1 of
// the sorted values. Also the recorded-vs-replayed calibration report. NaN values (lost
// groups) are left out.

import type { Calibration, LatencyPercentiles, LookupSummary } from './types.ts';

/** Sorted copy of the finite values. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[j++] = v;
  }
  return out.sort();
}

/** Nearest-rank percentile of ascending values; null when empty. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const idx = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[idx]!;
}

export function latencyPercentiles(values: ArrayLike<number>): LatencyPercentiles {
  const s = sortedFinite(values);
  return {
    p50: nearestRank(s, 0.5),
    p90: nearestRank(s, 0.9),
    p99: nearestRank(s, 0.99),
    max: s.length ? s[s.length - 1]! : null,
  };
}

export function lookupSummary(visits: ArrayLike<number>, ns: ArrayLike<number>): LookupSummary {
  const v = sortedFinite(visits);
  const c = sortedFinite(ns);
  return { visits_mean: mean(v), visits_p99: nearestRank(v, 0.99), ns_mean: mean(c), ns_p99: nearestRank(c, 0.99) };
}

function mean(values: Float64Array): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function relativeError(recorded: number | null, replayed: number | null): number | null {
  if (recorded === null || replayed === null || recorded === 0) return null;
  return (replayed - recorded) / recorded;
}

/**
 * Compares the recorded and replayed latency distributions at p50 and p99. The arrays need
 * not be aligned: only their distributions are compared.
 */
export function calibrate(recordedLatenciesNs: ArrayLike<number>, replayedLatenciesNs: ArrayLike<number>): Calibration {
  const rec = sortedFinite(recordedLatenciesNs);
  const rep = sortedFinite(replayedLatenciesNs);
  const recorded = { p50: nearestRank(rec, 0.5), p99: nearestRank(rec, 0.99) };
  const replayed = { p50: nearestRank(rep, 0.5), p99: nearestRank(rep, 0.99) };
  return {
    recorded,
    replayed,
    error_p50: relativeError(recorded.p50, replayed.p50),
    error_p99: relativeError(recorded.p99, replayed.p99),
  };
}
