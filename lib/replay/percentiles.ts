// Nearest-rank percentiles — the same definition as SQL quantile_disc, so a replayed p99
// and a recorded p99 from lib/queries are comparable: the value at index ceil(q·n) − 1 of
// the sorted values, found by selection rather than sorting. Also the recorded-vs-replayed
// calibration report. NaN values (lost groups) are left out.

import { scratchF64 } from './scratch.ts';
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
 * Counting tables for integerPercentiles, kept all-zero between calls: each call clears only
 * the 256-entry blocks it touched. Zeroing and scanning whole 65 536-entry tables per call was
 * most of a sweep replay's percentile time (its 50 000 groups fit in a few blocks), and the
 * coarse counts (one per block) bound each rank's scan to 256 + 256 steps.
 */
class CountingTables {
  readonly hi = new Int32Array(65536);
  readonly hiBlocks = new Int32Array(256);
  /** Exact counts of the values under 2^16 (high bucket 0), taken in the first pass: lookup
   *  visits and ns, and most replayed latencies, are all there, and their ranks then need no
   *  second pass. */
  readonly small = new Int32Array(65536);
  readonly smallBlocks = new Int32Array(256);
  /** Low-bits counts, one 65 536-entry table per distinct high bucket above 0 in use, and their block counts. */
  lo = new Int32Array(65536);
  loBlocks = new Int32Array(256);
  /** High bucket → offset of its low table, −1 when it has none. */
  readonly slotOf = new Int32Array(65536).fill(-1);

  ensureSlots(k: number): void {
    if (this.lo.length >= k * 65536) return;
    this.lo = new Int32Array(k * 65536);
    this.loBlocks = new Int32Array(k * 256);
  }
}

let tables: CountingTables | null = null;

/** Where the rank-th smallest (from 0, below the table's total) falls in a table: its entry, and its rank among that entry's values. */
function rankIn(counts: Int32Array, blocks: Int32Array, base: number, blockBase: number, rank: number): { at: number; rank: number } {
  let b = 0;
  while (rank >= blocks[blockBase + b]!) rank -= blocks[blockBase + b++]!;
  let at = b * 256;
  while (rank >= counts[base + at]!) rank -= counts[base + at++]!;
  return { at, rank };
}

/** Zeroes the blocks of counts that blocks[] says were touched, and the block counts. */
function clearTouched(counts: Int32Array, blocks: Int32Array, base: number, blockBase: number): void {
  for (let b = 0; b < 256; b++) {
    if (blocks[blockBase + b] === 0) continue;
    counts.fill(0, base + b * 256, base + b * 256 + 256);
    blocks[blockBase + b] = 0;
  }
}

/**
 * Exact nearest-rank values for integer data in [0, 2^32) — what replayed nanoseconds and
 * visit counts are — from counting passes (high 16 bits, then the low 16 bits of the high
 * buckets the ranks fall in), with no copy and no sort; values under 2^16 are counted exactly
 * in the first pass, so ranks among them need no second. Returns null when some value is not
 * such an integer, so the caller falls back. NaN (a lost group) is skipped, and so is
 * values[i] whose mask[i] < 0 (an unanswered group).
 */
function integerPercentiles(values: Float64Array, qs: readonly number[], mask: Int32Array | null = null): (number | null)[] | null {
  const t = (tables ??= new CountingTables());
  const n = countFirst(values, mask, t);
  if (n < 0) return null;
  if (n === 0) return qs.map(() => null);
  // Each rank's high bucket; then the low bits of all those above bucket 0 in one pass, a
  // table per distinct bucket (a CDF's 50 quantiles of replayed latencies fall in a few).
  const buckets = qs.map((q) => {
    const { at, rank } = rankIn(t.hi, t.hiBlocks, 0, 0, rankIndex(n, q));
    return { bucket: at, rank };
  });
  clearTouched(t.hi, t.hiBlocks, 0, 0);
  const distinct = [...new Set(buckets.map((b) => b.bucket).filter((b) => b > 0))];
  if (distinct.length > 0) {
    t.ensureSlots(distinct.length);
    distinct.forEach((b, k) => (t.slotOf[b] = k));
    countLow(values, mask, t.slotOf, t.lo, t.loBlocks);
  }
  const out = buckets.map(({ bucket, rank }) => {
    if (bucket === 0) return rankIn(t.small, t.smallBlocks, 0, 0, rank).at;
    const k = t.slotOf[bucket]!;
    return bucket * 65536 + rankIn(t.lo, t.loBlocks, k * 65536, k * 256, rank).at;
  });
  clearTouched(t.small, t.smallBlocks, 0, 0);
  distinct.forEach((b, k) => {
    clearTouched(t.lo, t.loBlocks, k * 65536, k * 256);
    t.slotOf[b] = -1;
  });
  return out;
}

/**
 * First pass: exact counts of the values under 2^16, counts of the high 16 bits of the
 * others (bucket 0 gets the small values' total at the end), and both per 256 entries. The
 * passes are functions of their own, so V8 optimises each loop whole: inside one function
 * with the rank searches, its on-stack-replaced loop deoptimised on leaving at every call of
 * a sweep. Returns how many were counted, or −1 (tables cleared) at a value that is not an
 * integer in [0, 2^32).
 */
function countFirst(values: Float64Array, mask: Int32Array | null, t: CountingTables): number {
  const { hi, hiBlocks, small, smallBlocks } = t;
  let n = 0;
  let under = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v || (mask !== null && mask[i]! < 0)) continue;
    // An integer in [0, 2^32) is the only value v >>> 0 leaves unchanged.
    if (v >>> 0 !== v) {
      clearTouched(hi, hiBlocks, 0, 0);
      clearTouched(small, smallBlocks, 0, 0);
      return -1;
    }
    if (v < 65536) {
      small[v]!++;
      smallBlocks[v >>> 8]!++;
      under++;
    } else {
      hi[v >>> 16]!++;
      hiBlocks[v >>> 24]!++;
    }
    n++;
  }
  hi[0] = under;
  hiBlocks[0]! += under;
  return n;
}

/** Second pass: counts of the low 16 bits of the values whose high bucket (above 0) has a table. */
function countLow(values: Float64Array, mask: Int32Array | null, slotOf: Int32Array, lo: Int32Array, loBlocks: Int32Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v || (mask !== null && mask[i]! < 0)) continue;
    const k = slotOf[v >>> 16]!;
    if (k < 0) continue;
    lo[k * 65536 + (v & 0xffff)]!++;
    loBlocks[k * 256 + ((v & 0xffff) >>> 8)]!++;
  }
}

/** Nearest-rank percentiles for several q at once, without a full sort. */
export function percentilesOf(values: ArrayLike<number>, qs: readonly number[]): (number | null)[] {
  if (values instanceof Float64Array) {
    const exact = integerPercentiles(values, qs);
    if (exact) return exact;
  }
  return selectedPercentiles(values, qs);
}

/** percentilesOf by selection on a copy of the finite values: what is left when they are not all integers in [0, 2^32). */
function selectedPercentiles(values: ArrayLike<number>, qs: readonly number[]): (number | null)[] {
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
  // Each loop is a function of its own (see countHigh): a sweep calls this once per replay,
  // and a loop optimised in place here deoptimised on leaving it, every call.
  const sums = answeredSums(visits, ns, worker);
  const n = sums[0]!;
  const visitSum = sums[1]!;
  const nsSum = sums[2]!;
  // With every group answered (the common case) the counting passes need no mask.
  const mask = n === worker.length ? null : worker;
  const l = maskedPercentiles(latency, mask, LATENCY_QS);
  const d = maskedPercentiles(deviceLatency, mask, LATENCY_QS);
  const visitsP99 = maskedPercentiles(visits, mask, LOOKUP_QS)[0] ?? null;
  const nsP99 = maskedPercentiles(ns, mask, LOOKUP_QS)[0] ?? null;
  return {
    latency: { p50: l[0] ?? null, p90: l[1] ?? null, p99: l[2] ?? null, max: l[3] ?? null },
    deviceLatency: { p50: d[0] ?? null, p90: d[1] ?? null, p99: d[2] ?? null, max: d[3] ?? null },
    lookup: { visits_mean: n === 0 ? null : visitSum / n, visits_p99: visitsP99, ns_mean: n === 0 ? null : nsSum / n, ns_p99: nsP99 },
  };
}

/** Answered groups, and the sums of two columns over them, in one pass: [count, sum a, sum b]. */
function answeredSums(a: Float64Array, b: Float64Array, worker: Int32Array): Float64Array {
  let n = 0;
  let sumA = 0;
  let sumB = 0;
  for (let g = 0; g < worker.length; g++) {
    if (worker[g]! < 0) continue;
    n++;
    sumA += a[g]!;
    sumB += b[g]!;
  }
  const out = new Float64Array(3);
  out[0] = n;
  out[1] = sumA;
  out[2] = sumB;
  return out;
}

/** percentilesOf over values[g] with worker[g] ≥ 0 (all of them with no worker mask): the counting
 *  passes with the mask applied in place, else the general path on a masked copy. */
function maskedPercentiles(values: Float64Array, worker: Int32Array | null, qs: readonly number[]): (number | null)[] {
  const exact = integerPercentiles(values, qs, worker);
  if (exact) return exact;
  if (worker === null) return selectedPercentiles(values, qs);
  const masked = scratchF64('percentiles.masked', values.length);
  for (let g = 0; g < values.length; g++) masked[g] = worker[g]! >= 0 ? values[g]! : NaN;
  return selectedPercentiles(masked, qs);
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
  const counts = new Int32Array(3);
  const n = countDecades(latency, worker, counts);
  if (n === 0) return [0, 0, 0];
  return [(100 * counts[0]!) / n, (100 * counts[1]!) / n, (100 * counts[2]!) / n];
}

/** Answered groups (returned), and in counts those in 1–10 µs, 10–100 µs and 100 µs–1 ms. A leaf function, as answeredSums. */
function countDecades(latency: Float64Array, worker: Int32Array, counts: Int32Array): number {
  let n = 0;
  for (let g = 0; g < latency.length; g++) {
    if (worker[g]! < 0) continue;
    n++;
    const v = latency[g]!;
    if (v >= 1000 && v < 10_000) counts[0]!++;
    else if (v >= 10_000 && v < 100_000) counts[1]!++;
    else if (v >= 100_000 && v < 1_000_000) counts[2]!++;
  }
  return n;
}
