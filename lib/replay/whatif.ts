// "What would the other design or era change for this trace?" — two runs compared figure by
// figure over their seeds: the difference of each percentile with Welch's 95 % interval,
// whether it is larger than the seed noise, where each side's device wait goes (stages), and
// one sentence that says it with numbers. Pure: the CLI and the replay page's verdict card
// both call compareRuns on the same saved runs, so they print the same numbers.

import { formatDurationNs } from '../core/time.ts';
import { differenceInterval, type Difference, type Interval } from './intervals.ts';
import { intervalsOf, meanStages, PERCENTILES, type Percentile, type SeedSamples } from './seed-samples.ts';
import { STAGE_TIMES } from './types.ts';

export interface WhatifSide {
  /** e.g. "per-device v5.17" (and the run id when saved). */
  label: string;
  run_id?: number;
  model: string;
  preset: string;
  samples: SeedSamples;
}

export interface WhatifResult {
  a: {
    label: string;
    run_id: number | null;
    model: string;
    preset: string;
    seeds: number[];
    latency_ns: Record<Percentile, Interval | null>;
    device_latency_ns: Record<Percentile, Interval | null>;
  };
  b: WhatifResult['a'];
  /** B − A per percentile: value, 95 % interval, relative to A, significant. */
  difference: { latency_ns: Record<Percentile, Difference | null>; device_latency_ns: Record<Percentile, Difference | null> };
  /** The headline figure the verdict is about: what the device waits, p99. */
  headline: { metric: 'device_latency_ns'; percentile: 'p99' };
  /** Whether the headline difference is larger than the seed noise. */
  significant: boolean;
  /** Mean ns per answered group by stage (request → response at the device), per side. */
  stage_breakdown: { a: Record<string, number>; b: Record<string, number> };
  verdict: string;
}

const STAGE_WORDS: Record<string, string> = {
  credit_wait: 'waits for PRI credits',
  overflow_retry: 'PRQ overflow retries',
  prq_drain: 'the PRQ drain (queueing, lookups, lock stalls)',
  workqueue: 'the workqueue wake-up and queueing',
  service: 'fault service',
  response: 'response-path locks',
  qi: 'the invalidation queue',
};

function pct(x: number): string {
  const v = Math.abs(x) < 0.0005 ? 0 : x;
  return `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0)} %`;
}

function dur(ns: number): string {
  return `${ns >= 0 ? '+' : '−'}${formatDurationNs(Math.round(Math.abs(ns)))}`;
}

export function compareRuns(a: WhatifSide, b: WhatifSide): WhatifResult {
  const diff = (pick: (s: SeedSamples) => Record<Percentile, (number | null)[]>) =>
    Object.fromEntries(PERCENTILES.map((p) => [p, differenceInterval(pick(a.samples)[p], pick(b.samples)[p])])) as Record<Percentile, Difference | null>;
  const difference = { latency_ns: diff((s) => s.latency_ns), device_latency_ns: diff((s) => s.device_latency_ns) };
  const stages = { a: meanStages(a.samples), b: meanStages(b.samples) };
  const side = (s: WhatifSide): WhatifResult['a'] => {
    const iv = intervalsOf(s.samples);
    return {
      label: s.label,
      run_id: s.run_id ?? null,
      model: s.model,
      preset: s.preset,
      seeds: s.samples.seeds,
      latency_ns: iv.latency_ns,
      device_latency_ns: iv.device_latency_ns,
    };
  };
  const head = difference.device_latency_ns.p99;
  return {
    a: side(a),
    b: side(b),
    difference,
    headline: { metric: 'device_latency_ns', percentile: 'p99' },
    significant: head?.significant ?? false,
    stage_breakdown: stages,
    verdict: verdictOf(a, b, head, stages),
  };
}

function verdictOf(a: WhatifSide, b: WhatifSide, head: Difference | null, stages: WhatifResult['stage_breakdown']): string {
  const k =
    a.samples.seeds.length === b.samples.seeds.length
      ? `${a.samples.seeds.length} seeds each`
      : `${a.samples.seeds.length} and ${b.samples.seeds.length} seeds`;
  if (!head || !head.relative) return `${b.label} vs ${a.label}: no device-side p99 to compare (a side answered no groups).`;
  const r = head.relative;
  const figure = `device-side p99 ${pct(r.value)} (±${Math.abs(((r.hi - r.lo) / 2) * 100).toFixed(1)} %, ${dur(head.value)})`;
  if (!head.significant) return `${b.label} vs ${a.label}: ${figure} — inside the seed-to-seed noise (${k}): no measurable difference.`;
  // The stage that moved most in the direction of the difference explains it.
  let top: string | null = null;
  let best = 0;
  for (const st of STAGE_TIMES) {
    const d = (stages.b[st] ?? 0) - (stages.a[st] ?? 0);
    if (Math.sign(d) === Math.sign(head.value) && Math.abs(d) > best) {
      best = Math.abs(d);
      top = st;
    }
  }
  const why = top ? `, mostly ${STAGE_WORDS[top]} (${dur((stages.b[top] ?? 0) - (stages.a[top] ?? 0))} per group on average)` : '';
  return `${b.label} vs ${a.label}: ${figure}${why}; the difference is larger than the seed noise (${k}).`;
}
