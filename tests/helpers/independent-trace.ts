// An independent trace generator for calibration tests: not lib/sim and not the replay's
// RNG or distributions. It writes what a tracer records on a v6.9-like kernel — each page
// request at its report time, each group's response submission — from its own laws of fault
// handling time (lognormal, Pareto, Weibull, a bimodal mixture: several heavy-tailed), its
// own Poisson or bursty arrivals, and a pool of FIFO workers that wake after a fixed or
// uniformly spread delay and stay busy a fixed time after each response (the era's queueing mechanics, which the
// replay must share for "the matching era"). Everything else — the laws, the loads, the
// burstiness, the pages per group — is its own.

import type { RecordedGroupTimes } from '../../lib/replay/service-time.ts';
import type { RequestRow } from '../../lib/replay/types.ts';

export type Law = 'lognormal' | 'pareto' | 'weibull' | 'bimodal';

export interface IndependentOptions {
  seed: number;
  groups: number;
  law: Law;
  /** Mean group arrivals per second. */
  rate: number;
  /** 1: Poisson; > 1: on/off bursts this many times denser than the mean. */
  burst: number;
  workers: number;
  /** Median wake-up of an idle worker. */
  wakeNs: number;
  /** 0: every wake-up takes wakeNs; else uniform in wakeNs ± this (same median). */
  wakeSpreadNs?: number;
  busyAfterNs: number;
}

export interface IndependentTrace {
  requests: RequestRow[];
  groups: RecordedGroupTimes[];
  /** Recorded latency per group: response − last-page request. */
  latencyNs: number[];
}

/** xoshiro128** — a different generator from the replay's. */
function rng32(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 + seed * 7;
  let c = 0xb7e15162;
  let d = 0x1234567 ^ (seed << 3);
  const next = (): number => {
    const r = Math.imul((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return (r >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  return next;
}

function law(name: Law, u: () => number): () => number {
  const open = () => {
    let x = u();
    while (x === 0) x = u();
    return x;
  };
  const normal = () => Math.sqrt(-2 * Math.log(open())) * Math.cos(2 * Math.PI * u());
  switch (name) {
    case 'lognormal':
      return () => 3000 * Math.exp(1.1 * normal());
    case 'pareto':
      // α = 1.6, minimum 1.5 µs: infinite variance.
      return () => 1500 / Math.pow(open(), 1 / 1.6);
    case 'weibull':
      // Shape 0.6 (heavier than exponential), scale 4 µs.
      return () => 4000 * Math.pow(-Math.log(open()), 1 / 0.6);
    case 'bimodal':
      // 95 % minor faults around 2 µs, 5 % major ones around 150 µs with a Pareto tail.
      return () => (u() < 0.95 ? 1500 + 1000 * u() : 100_000 / Math.pow(open(), 1 / 2.5));
  }
}

export function independentTrace(o: IndependentOptions): IndependentTrace {
  const u = rng32(o.seed);
  const service = law(o.law, u);
  const requests: RequestRow[] = [];
  const groups: RecordedGroupTimes[] = [];
  const latencyNs: number[] = [];
  const free = new Array<number>(o.workers).fill(-Infinity);
  const devices = ['0000:6a:00.0', '0000:6a:01.0', '0000:e7:00.0'];
  const prgi = [0, 0, 0];
  const meanGap = 1e9 / o.rate;
  let t = 1_000_000;
  let on = true;
  for (let k = 0; k < o.groups; k++) {
    // On/off bursts: half the time at burst × the rate, the rest slower, same mean.
    if (o.burst > 1 && u() < 0.002) on = !on;
    const gap = o.burst > 1 ? (on ? meanGap / o.burst : meanGap * (2 - 1 / o.burst)) / (on ? 1 : 1) : meanGap;
    t += Math.round(-gap * Math.log(1 - u()));
    const d = Math.floor(u() * devices.length);
    const pages = 1 + Math.floor(u() * u() * 4);
    const index = prgi[d]!;
    prgi[d] = (index + 1) % 512;
    for (let p = 0; p < pages; p++) {
      const last = p === pages - 1;
      requests.push({ tsNs: BigInt(t + 150 * p), iommu: 'dmar2', device: devices[d]!, pasid: 1 + (k % 5), prgi: index, last, perm: last ? 'rw' : 'r' });
    }
    const report = t + 150 * (pages - 1);
    // FIFO pool: the earliest free worker takes the group.
    let w = 0;
    for (let j = 1; j < free.length; j++) if (free[j]! < free[w]!) w = j;
    const wake = o.wakeSpreadNs ? Math.round(o.wakeNs + (2 * u() - 1) * o.wakeSpreadNs) : o.wakeNs;
    const start = free[w]! <= report ? report + wake : free[w]!;
    const response = Math.round(start + service());
    free[w] = response + o.busyAfterNs;
    groups.push({ iommu: 'dmar2', firstRequestNs: BigInt(t), lastRequestNs: BigInt(report), responseNs: BigInt(response) });
    latencyNs.push(response - report);
    t = report;
  }
  requests.sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
  return { requests, groups, latencyNs };
}
