// Fault handling time per group: drawn from a chosen distribution, or from samples
// estimated from a recorded trace. The engine draws one value per group from its seeded
// RNG; the CLI/store layer calls estimateServiceTimes on a trace's fault groups to feed
// serviceDist=empirical. Values are rounded to whole ns so engine times stay integers.

import { ReplayConfigError } from '../core/errors.ts';
import type { ReplayParams } from './params.ts';
import type { Rng } from './rng.ts';

/** z such that Φ(z) = 0.99. */
const Z99 = 2.3263478740408408;

export type ServiceSampler = () => number;

export function makeServiceSampler(params: ReplayParams, rng: Rng, empiricalNs?: Float64Array): ServiceSampler {
  const p50 = params.serviceP50Ns;
  switch (params.serviceDist) {
    case 'fixed': {
      const v = Math.round(p50);
      return () => v;
    }
    case 'exponential': {
      // The median of an exponential is mean·ln 2.
      const mean = p50 / Math.LN2;
      return () => Math.round(rng.nextExponential(mean));
    }
    case 'lognormal': {
      const mu = Math.log(p50);
      const sigma = Math.log(params.serviceP99Ns / p50) / Z99;
      return () => Math.round(Math.exp(mu + sigma * rng.nextNormal()));
    }
    case 'empirical': {
      if (!empiricalNs || empiricalNs.length === 0) {
        throw new ReplayConfigError('serviceDist', 'empirical needs service samples (estimateServiceTimes on the recorded groups)');
      }
      const samples = empiricalNs;
      return () => Math.round(samples[rng.nextInt(samples.length)]!);
    }
  }
}

export interface RecordedGroupTimes {
  iommu: string;
  firstRequestNs: bigint;
  lastRequestNs: bigint;
  responseNs: bigint;
}

/**
 * Pure service times from a trace's answered groups. A group shows its own handling time
 * only when no other group of its IOMMU was outstanding meanwhile: then nothing queued in
 * front of it, and response − last request is wake-up + lookups + service. Those groups are
 * picked (their [last request, response] interval overlaps no other group's on the same
 * IOMMU), overheadNs (see idlePathOverheadNs) is subtracted, and the values, floored at 0,
 * are the empirical distribution. Returns them in ascending order.
 */
export function estimateServiceTimes(groups: readonly RecordedGroupTimes[], overheadNs = 0): Float64Array {
  let origin: bigint | null = null;
  for (const g of groups) if (origin === null || g.lastRequestNs < origin) origin = g.lastRequestNs;
  const byIommu = new Map<string, { start: number; end: number }[]>();
  for (const g of groups) {
    if (g.responseNs < g.lastRequestNs) continue;
    // Relative to the earliest request, so absolute 64-bit clocks stay exact as float64.
    const start = Number(g.lastRequestNs - origin!);
    const end = Number(g.responseNs - origin!);
    let list = byIommu.get(g.iommu);
    if (!list) byIommu.set(g.iommu, (list = []));
    list.push({ start, end });
  }
  const out: number[] = [];
  for (const list of byIommu.values()) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    let maxEndBefore = -Infinity;
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      const next = list[i + 1];
      const isolated = maxEndBefore < g.start && (next === undefined || next.start > g.end);
      if (isolated) out.push(Math.max(0, g.end - g.start - overheadNs));
      maxEndBefore = Math.max(maxEndBefore, g.end);
    }
  }
  return Float64Array.from(out).sort();
}

/**
 * The fixed part of an idle group's recorded latency (report → response) that the replay
 * adds by itself, to subtract from estimated service times: the worker wake-up. Lookup
 * costs (tens of ns) are left in.
 */
export function idlePathOverheadNs(params: ReplayParams): number {
  return params.wqWakeupNs;
}
