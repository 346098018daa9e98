// A run's figures over K seeds: what each seed's replay gave (saved with the run, so any
// later comparison can compute its own intervals) and the intervals built from them.

import { predictionInterval, type Interval } from './intervals.ts';
import { LOCK_WAITS, STAGE_TIMES, type ReplaySummary } from './types.ts';

export const PERCENTILES = ['p50', 'p90', 'p99', 'max'] as const;
export type Percentile = (typeof PERCENTILES)[number];

type PerSeed = (number | null)[];

/** Each figure as one value per seed, in seed order. */
export interface SeedSamples {
  seeds: number[];
  latency_ns: Record<Percentile, PerSeed>;
  device_latency_ns: Record<Percentile, PerSeed>;
  /** (replayed − recorded) / recorded per seed; absent when the trace has no answered groups. */
  calibration_error: { p50: PerSeed; p99: PerSeed } | null;
  /** The same on the held-out check part (runs with a holdout; absent otherwise and in older runs). */
  holdout_error?: { p50: PerSeed; p90: PerSeed; p99: PerSeed };
  stage_time_ns: Record<string, number[]>;
  lock_wait_ns: Record<string, number[]>;
  drops: number[];
  lost_groups: number[];
  /** latency_ns at each of qs, per seed: the band on the replay page's CDF. */
  latency_cdf?: { qs: number[]; values: (number | null)[][] };
}

export interface ReplayIntervals {
  seeds: number[];
  latency_ns: Record<Percentile, Interval | null>;
  device_latency_ns: Record<Percentile, Interval | null>;
  calibration_error: { p50: Interval | null; p99: Interval | null } | null;
  holdout_error: { p50: Interval | null; p90: Interval | null; p99: Interval | null } | null;
  stage_time_ns: Record<string, Interval | null>;
  drops: Interval | null;
}

/** The K seeds of a run: seed, seed + 1, …, seed + K − 1. */
export function seedList(seed: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => seed + i);
}

export function seedSamplesOf(summaries: readonly ReplaySummary[]): SeedSamples {
  const pct = (pick: (s: ReplaySummary) => Record<Percentile, number | null>) =>
    Object.fromEntries(PERCENTILES.map((p) => [p, summaries.map((s) => pick(s)[p])])) as Record<Percentile, PerSeed>;
  const calibrated = summaries.every((s) => s.calibration);
  const heldOut = summaries.length > 0 && summaries.every((s) => s.holdout_calibration);
  return {
    seeds: summaries.map((s) => s.seed),
    latency_ns: pct((s) => s.latency_ns),
    device_latency_ns: pct((s) => s.device_latency_ns),
    calibration_error: calibrated ? { p50: summaries.map((s) => s.calibration!.error_p50), p99: summaries.map((s) => s.calibration!.error_p99) } : null,
    ...(heldOut
      ? {
          holdout_error: {
            p50: summaries.map((s) => s.holdout_calibration!.error_p50),
            p90: summaries.map((s) => s.holdout_calibration!.error_p90),
            p99: summaries.map((s) => s.holdout_calibration!.error_p99),
          },
        }
      : {}),
    stage_time_ns: Object.fromEntries(STAGE_TIMES.map((k) => [k, summaries.map((s) => s.stage_time_ns[k] ?? 0)])),
    lock_wait_ns: Object.fromEntries(LOCK_WAITS.map((k) => [k, summaries.map((s) => s.lock_wait_ns[k] ?? 0)])),
    drops: summaries.map((s) => s.drops),
    lost_groups: summaries.map((s) => s.lost_groups),
  };
}

/** Rounded for reading: nanoseconds to 0.1 ns, ratios to 10⁻⁵. */
function rounded(iv: Interval | null, perUnit: number): Interval | null {
  const r = (x: number) => Math.round(x * perUnit) / perUnit;
  return iv && { value: r(iv.value), lo: r(iv.lo), hi: r(iv.hi) };
}

export function intervalsOf(samples: SeedSamples): ReplayIntervals {
  const ns = (v: PerSeed) => rounded(predictionInterval(v, { nonNegative: true }), 10);
  const pct = (r: Record<Percentile, PerSeed>) => Object.fromEntries(PERCENTILES.map((p) => [p, ns(r[p])])) as Record<Percentile, Interval | null>;
  const c = samples.calibration_error;
  const h = samples.holdout_error;
  const ratio = (v: PerSeed) => rounded(predictionInterval(v), 1e5);
  return {
    seeds: samples.seeds,
    latency_ns: pct(samples.latency_ns),
    device_latency_ns: pct(samples.device_latency_ns),
    calibration_error: c ? { p50: ratio(c.p50), p99: ratio(c.p99) } : null,
    holdout_error: h ? { p50: ratio(h.p50), p90: ratio(h.p90), p99: ratio(h.p99) } : null,
    stage_time_ns: Object.fromEntries(Object.entries(samples.stage_time_ns).map(([k, v]) => [k, ns(v)])),
    drops: rounded(predictionInterval(samples.drops, { nonNegative: true }), 10),
  };
}

/** Mean of each stage over the seeds: where a run's device wait goes. */
export function meanStages(samples: SeedSamples): Record<string, number> {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  return Object.fromEntries(Object.entries(samples.stage_time_ns).map(([k, v]) => [k, mean(v)]));
}

/** The CDF band of a run: at each quantile, where one more seed's latency lands (lo, hi). */
export function cdfBand(samples: SeedSamples): { q: number; lo: number; hi: number }[] {
  const c = samples.latency_cdf;
  if (!c) return [];
  return c.qs.flatMap((q, i) => {
    const iv = predictionInterval(
      c.values.map((v) => v[i] ?? null),
      { nonNegative: true },
    );
    return iv ? [{ q, lo: iv.lo, hi: iv.hi }] : [];
  });
}
