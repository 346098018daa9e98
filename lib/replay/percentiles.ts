// Nearest-rank percentiles — the same definition as SQL quantile_disc, so a replayed p99
// and a recorded p99 from lib/queries are comparable: the value at index ceil(q·n) − 1 of
// the sorted values, found by selection rather than sorting. Also the recorded-vs-replayed
// calibration report. NaN values (lost groups) are left out.

import { scratchF64, scratchI32 } from './scratch.ts';
import type { Calibration, LatencyPercentiles, LookupSummary } from './types.ts';

/** Copy of the finite values (NaN marks lost groups). */
function finiteCopy(values: ArrayLike<number>): Float64Array {
  if (values instanceof Float64Array) return finiteCopyF64(values);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[j++] = v;
  }
  return out;
}

/** The same for the engine's own arrays: one monomorphic loop, NaN tested by v === v. */
function finiteCopyF64(values: Float64Array): Float64Array {
  const out = scratchF64('percentiles.copy', values.length);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v && v !== Infinity && v !== -Infinity) out[j++] = v;
  }
  return out.subarray(0, j);
}

/** Nearest-rank percentile of ascending values; null when empty. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return sorted[rankIndex(n, q)]!;
}

function rankIndex(n: number, q: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
}

/**
 * Moves the k-th smallest of a[lo..hi] to a[k], smaller ones before it, larger after
 * (Hoare quickselect, median-of-three pivots): O(n), where sorting a million replayed
 * latencies per percentile set would dominate a replay.
 */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Exact nearest-rank values for integer data in [0, 2^32) — what replayed nanoseconds and
 * visit counts are — from two histogram passes (high then low 16 bits), with no copy and no
 * sort. Returns null when some value is not such an integer, so the caller falls back.
 * NaN (a lost group) is skipped, and so is values[i] whose mask[i] < 0 (an unanswered group).
 */
function integerPercentiles(values: Float64Array, qs: readonly number[], mask: Int32Array | null = null): (number | null)[] | null {
  // Histograms come from the scratch pool: fresh 256 KB tables per call cost more in page
  // faults than the counting itself when a sweep computes thousands of percentiles.
  const hi = scratchI32('percentiles.hi', 65536);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v || (mask !== null && mask[i]! < 0)) continue;
    if (!(v >= 0 && v < 4294967296) || v !== Math.floor(v)) return null;
    hi[v >>> 16]!++;
    n++;
  }
  if (n === 0) return qs.map(() => null);
  // Locate each rank's high bucket, then count low bits of all those buckets in one pass.
  const buckets = qs.map((q) => {
    let rank = rankIndex(n, q);
    let bucket = 0;
    while (rank >= hi[bucket]!) rank -= hi[bucket++]!;
    return { bucket, rank };
  });
  // One low-bits table per distinct high bucket, side by side: a CDF's 50 quantiles of a
  // replay's latencies fall in a few buckets (every latency under 65.5 µs is bucket 0).
  const distinct = [...new Set(buckets.map((b) => b.bucket))];
  const lows = scratchI32('percentiles.lo', distinct.length * 65536);
  const slotOf = scratchI32('percentiles.slot', 65536).fill(-1);
  distinct.forEach((b, k) => (slotOf[b] = k * 65536));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v || (mask !== null && mask[i]! < 0)) continue;
    const at = slotOf[v >>> 16]!;
    if (at >= 0) lows[at + (v & 0xffff)]!++;
  }
  return buckets.map(({ bucket, rank }) => {
    const at = slotOf[bucket]!;
    let low = 0;
    while (rank >= lows[at + low]!) rank -= lows[at + low++]!;
    return bucket * 65536 + low;
  });
}

/** Nearest-rank percentiles for several q at once, without a full sort. */
export function percentilesOf(values: ArrayLike<number>, qs: readonly number[]): (number | null)[] {
  if (values instanceof Float64Array) {
    const exact = integerPercentiles(values, qs);
    if (exact) return exact;
  }
  const a = finiteCopy(values);
  const n = a.length;
  if (n === 0) return qs.map(() => null);
  // Largest rank first: each later select only needs the part left of the previous one.
  const order = qs.map((q, i) => ({ i, k: rankIndex(n, q) })).sort((x, y) => y.k - x.k);
  const out: (number | null)[] = new Array<number | null>(qs.length).fill(null);
  let hi = n - 1;
  for (const { i, k } of order) {
    select(a, k, 0, hi);
    out[i] = a[k]!;
    hi = k;
  }
  return out;
}

export function latencyPercentiles(values: ArrayLike<number>): LatencyPercentiles {
  const [p50, p90, p99, max] = percentilesOf(values, [0.5, 0.9, 0.99, 1]);
  return { p50: p50 ?? null, p90: p90 ?? null, p99: p99 ?? null, max: max ?? null };
}

/** What a replay summarises over its answered groups. */
export interface AnsweredStats {
  latency: LatencyPercentiles;
  deviceLatency: LatencyPercentiles;
  lookup: LookupSummary;
}

const LATENCY_QS = [0.5, 0.9, 0.99, 1] as const;
const LOOKUP_QS = [0.99] as const;

/**
 * Latency and device-latency percentiles, and mean and p99 of lookup visits and ns, over the
 * groups with worker[g] ≥ 0 (the answered ones; the latency arrays hold NaN for the others).
 * Same values as latencyPercentiles and percentilesOf/mean on NaN-masked copies, without the
 * copies: masking a million-entry column and summing it apart cost more than counting it.
 */
export function answeredStats(latency: Float64Array, deviceLatency: Float64Array, visits: Float64Array, ns: Float64Array, worker: Int32Array): AnsweredStats {
  let n = 0;
  let visitSum = 0;
  let nsSum = 0;
  for (let g = 0; g < worker.length; g++) {
    if (worker[g]! < 0) continue;
    n++;
    visitSum += visits[g]!;
    nsSum += ns[g]!;
  }
  const [p50, p90, p99, max] = maskedPercentiles(latency, worker, LATENCY_QS);
  const [d50, d90, d99, dmax] = maskedPercentiles(deviceLatency, worker, LATENCY_QS);
  const [visitsP99] = maskedPercentiles(visits, worker, LOOKUP_QS);
  const [nsP99] = maskedPercentiles(ns, worker, LOOKUP_QS);
  return {
    latency: { p50: p50 ?? null, p90: p90 ?? null, p99: p99 ?? null, max: max ?? null },
    deviceLatency: { p50: d50 ?? null, p90: d90 ?? null, p99: d99 ?? null, max: dmax ?? null },
    lookup: { visits_mean: n === 0 ? null : visitSum / n, visits_p99: visitsP99 ?? null, ns_mean: n === 0 ? null : nsSum / n, ns_p99: nsP99 ?? null },
  };
}

/** percentilesOf over values[g] with worker[g] ≥ 0: the counting passes with the mask applied in
 *  place, else the general path on a masked copy. */
function maskedPercentiles(values: Float64Array, worker: Int32Array, qs: readonly number[]): (number | null)[] {
  const exact = integerPercentiles(values, qs, worker);
  if (exact) return exact;
  const masked = scratchF64('percentiles.masked', values.length);
  for (let g = 0; g < values.length; g++) masked[g] = worker[g]! >= 0 ? values[g]! : NaN;
  return percentilesOf(masked, qs);
}

/** (replayed − recorded) / recorded; null when either is missing or recorded is 0. */
export function relativeError(recorded: number | null, replayed: number | null): number | null {
  if (recorded === null || replayed === null || recorded === 0) return null;
  return (replayed - recorded) / recorded;
}

/**
 * Compares the recorded and replayed latency distributions at p50 and p99. The arrays need
 * not be aligned: only their distributions are compared.
 */
export function calibrate(recordedLatenciesNs: ArrayLike<number>, replayedLatenciesNs: ArrayLike<number>): Calibration {
  const [rec50, rec99] = percentilesOf(recordedLatenciesNs, [0.5, 0.99]);
  const [rep50, rep99] = percentilesOf(replayedLatenciesNs, [0.5, 0.99]);
  const recorded = { p50: rec50 ?? null, p99: rec99 ?? null };
  const replayed = { p50: rep50 ?? null, p99: rep99 ?? null };
  return {
    recorded,
    replayed,
    error_p50: relativeError(recorded.p50, replayed.p50),
    error_p99: relativeError(recorded.p99, replayed.p99),
  };
}

/**
 * The one real PRQ latency histogram (QEMU docs/devel/migration/qpl-compression.rst, Intel
 * debugfs svm_prq, 25 965 faults, report → just before qi_submit_sync): percent of faults in
 * 1–10 µs, 10–100 µs and 100 µs–1 ms. Nobody here produced it, so it is a non-circular
 * reference for a replay's latency_ns (the same span) — comparable at low load.
 */
export const SVM_PRQ_PERCENT: readonly [number, number, number] = [97.1, 1.4, 1.5];

/** Percent of answered groups (worker ≥ 0) whose latency is in 1–10 µs, 10–100 µs, 100 µs–1 ms. */
export function svmPrqBuckets(latency: Float64Array, worker: Int32Array): [number, number, number] {
  let n = 0;
  const b = [0, 0, 0];
  for (let g = 0; g < latency.length; g++) {
    if (worker[g]! < 0) continue;
    n++;
    const v = latency[g]!;
    if (v >= 1000 && v < 10_000) b[0]!++;
    else if (v >= 10_000 && v < 100_000) b[1]!++;
    else if (v >= 100_000 && v < 1_000_000) b[2]!++;
  }
  return n === 0 ? [0, 0, 0] : [(100 * b[0]!) / n, (100 * b[1]!) / n, (100 * b[2]!) / n];
}
