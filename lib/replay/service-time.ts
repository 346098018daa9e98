// Fault handling time and workqueue wake-up: drawn per page from a chosen distribution
// (handle_mm_fault runs once per page of a group; draws through quantile tables, see
// quantile-table.ts), or per group from samples estimated from a recorded trace. The engine draws from its seeded RNG; the store layer calls
// estimateServiceTimes on a trace's answered groups to feed serviceDist=empirical. Values
// are rounded to whole ns so engine times stay integers.

import { ReplayConfigError } from '../core/errors.ts';
import type { ReplayParams } from './params.ts';
import { atProbability, drawFrom, exponentialTable, lognormalTable } from './quantile-table.ts';
import type { Rng } from './rng.ts';

const FIXED = 0;
/** One table per page: exponential or lognormal. */
const TABLE = 1;
const MIXTURE = 2;
const EMPIRICAL = 3;

/**
 * Handling time of a group of `pages` faults, ns, for every distribution. One class with a
 * kind, not a closure per replay: the engine's call site then sees the same target in every
 * replay, where a fresh closure made V8 drop the engine's optimised loop at each replay's
 * first draw (a "wrong call target" deopt) and run it unoptimised until recompiled.
 */
export class ServiceSampler {
  private readonly kind: number;
  private readonly fixedNs: number = 0;
  /** The per-page table, or the mixture's fast component. */
  private readonly table: Float64Array = EMPTY;
  private readonly slow: Float64Array = EMPTY;
  private readonly slowFraction: number = 0;
  private readonly deck: Float64Array = EMPTY;
  private left = 0;

  constructor(
    params: ReplayParams,
    private readonly rng: Rng,
    empiricalNs?: Float64Array,
  ) {
    const p50 = params.serviceP50Ns;
    switch (params.serviceDist) {
      case 'fixed':
        this.kind = FIXED;
        this.fixedNs = Math.round(p50);
        break;
      case 'exponential':
        // The median of an exponential is mean·ln 2.
        this.kind = TABLE;
        this.table = exponentialTable(p50 / Math.LN2);
        break;
      case 'lognormal':
        this.kind = TABLE;
        this.table = lognormalTable(p50, params.serviceP99Ns);
        break;
      case 'mixture':
        this.kind = MIXTURE;
        this.table = lognormalTable(p50, params.serviceP99Ns);
        this.slow = lognormalTable(params.serviceSlowP50Ns, params.serviceSlowP99Ns);
        this.slowFraction = params.serviceSlowFraction;
        break;
      case 'empirical':
        if (!empiricalNs || empiricalNs.length === 0) {
          throw new ReplayConfigError('serviceDist', 'empirical needs service samples (estimateServiceTimes on the recorded groups)');
        }
        this.kind = EMPIRICAL;
        this.deck = Float64Array.from(empiricalNs);
        break;
    }
  }

  sample(pages: number): number {
    const kind = this.kind;
    if (kind === FIXED) return this.fixedNs * pages;
    if (kind === EMPIRICAL) return this.deal();
    const rng = this.rng;
    const fast = this.table;
    let s = 0;
    if (kind === TABLE) {
      for (let k = 0; k < pages; k++) s += drawFrom(fast, rng);
    } else {
      // One 32-bit draw picks the component and the probability within it.
      const slow = this.slow;
      const w = this.slowFraction;
      for (let k = 0; k < pages; k++) {
        const u = rng.nextU32() / 4294967296;
        s += u < w ? atProbability(slow, u / w) : atProbability(fast, (u - w) / (1 - w));
      }
    }
    return Math.round(s);
  }

  /**
   * Samples are whole-group times (what a trace shows), so one per group, dealt from a
   * seeded shuffle of the whole set (reshuffled when used up): every recorded service time
   * is replayed once per pass, so the tail is not at the mercy of resampling.
   */
  private deal(): number {
    const deck = this.deck;
    if (this.left === 0) {
      for (let i = deck.length - 1; i > 0; i--) {
        const j = this.rng.nextInt(i + 1);
        const x = deck[i]!;
        deck[i] = deck[j]!;
        deck[j] = x;
      }
      this.left = deck.length;
    }
    return Math.round(deck[--this.left]!);
  }
}

const EMPTY = new Float64Array(0);

/**
 * The workqueue wake-up: lognormal (median wqWakeupNs, p99 wqWakeupP99Ns), fixed when they
 * are equal — and fixed at the median under serviceDist=empirical. Trace-driven service
 * times are recorded latencies less the median wake-up (estimateServiceTimes), so they carry
 * the recorded wake-ups' spread already; drawing a fresh one added it twice. On a simulated
 * v6.9 trace (ns timestamps, lognormal wake-up 1 µs / 4 µs) that put the replayed p50 9.4 %
 * above the recorded one; with the median, 2.2 %.
 */
export class WakeupSampler {
  private readonly fixedNs: number;
  private readonly table: Float64Array | null;

  constructor(
    params: ReplayParams,
    private readonly rng: Rng,
  ) {
    const p50 = params.wqWakeupNs;
    this.fixedNs = Math.round(p50);
    this.table = params.wqWakeupP99Ns === p50 || params.serviceDist === 'empirical' ? null : lognormalTable(p50, params.wqWakeupP99Ns);
  }

  sample(): number {
    return this.table === null ? this.fixedNs : Math.round(drawFrom(this.table, this.rng));
  }
}

export interface RecordedGroupTimes {
  iommu: string;
  firstRequestNs: bigint;
  lastRequestNs: bigint;
  responseNs: bigint;
}

export interface InversionOptions {
  /** Fault handlers running at once (params.workers: the pool every IOMMU shares). */
  workers: number;
  /** Subtracted when a group found a worker idle: the wake-up (see idlePathOverheadNs). */
  overheadNs: number;
  /** How long a worker stays busy after its response is submitted (it spins in
   *  qi_submit_sync until the wait descriptor completes). */
  busyAfterResponseNs: number;
}

/**
 * Service times of every answered group, by inverting the replay's own queueing: groups
 * are taken in report order by a pool of `workers` FIFO servers; group k starts at
 * max(its report, the earliest moment a worker came free) and its service is
 * response − start (less the wake-up when the worker was idle). Every group counts — long
 * services are not selected out, as they are when only isolated groups are used (a
 * length-biased sample, −57 % at p50 on a v6.9 trace: replay-physics.md §7). Returns the
 * values, floored at 0, in ascending order.
 */
export function estimateServiceTimes(groups: readonly RecordedGroupTimes[], options: InversionOptions): Float64Array {
  let origin: bigint | null = null;
  for (const g of groups) if (origin === null || g.lastRequestNs < origin) origin = g.lastRequestNs;
  const rows: { report: number; response: number }[] = [];
  for (const g of groups) {
    if (g.responseNs < g.lastRequestNs) continue;
    // Relative to the earliest report, so absolute 64-bit clocks stay exact as float64.
    rows.push({ report: Number(g.lastRequestNs - origin!), response: Number(g.responseNs - origin!) });
  }
  rows.sort((a, b) => a.report - b.report || a.response - b.response);
  const W = Math.max(1, options.workers);
  // Free times of the workers as a binary min-heap (W is small; rows can be millions).
  const free = new Float64Array(W).fill(-Infinity);
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const { report, response } = rows[k]!;
    const earliest = free[0]!;
    const idle = earliest <= report;
    const start = idle ? report : earliest;
    out[k] = Math.max(0, response - start - (idle ? options.overheadNs : 0));
    // Replace the root with this worker's new free time and sift down.
    const t = Math.max(response, start) + options.busyAfterResponseNs;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= W) break;
      const c = l + 1 < W && free[l + 1]! < free[l]! ? l + 1 : l;
      if (free[c]! >= t) break;
      free[i] = free[c]!;
      i = c;
    }
    free[i] = t;
  }
  return out.sort();
}

/** What the replay adds by itself to an idle group's recorded latency: the wake-up. */
export function idlePathOverheadNs(params: ReplayParams): number {
  return params.wqWakeupNs;
}

/** How long a worker stays busy after submitting a response (uncontended QI round trip). */
export function busyAfterResponseNs(params: ReplayParams): number {
  return params.qiLockNs + params.qiHwNs + params.qiWaitNs;
}

/** The inversion options a replay with these params implies. */
export function inversionOptions(params: ReplayParams): InversionOptions {
  return { workers: params.workers, overheadNs: idlePathOverheadNs(params), busyAfterResponseNs: busyAfterResponseNs(params) };
}
