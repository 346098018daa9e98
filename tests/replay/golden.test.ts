// Pins the replay's exact output: fixed-seed replays of simulated and hand-shaped traces,
// across presets, structures, service distributions, overflow and the sweep, hashed bit for
// bit (summaries, every per-group and per-request array, queue depth), with the headline
// figures beside each hash. When a hash changes the test prints which figures moved (old →
// new, relative change), so a physics change can be described in its commit and a pure
// optimisation shows it changed nothing. GOLDEN_PRINT=1 prints the new expectations
// (tests/replay/golden.expected.json) instead of asserting; it refuses to run under CI.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { runReplay, type ReplayExtras } from '../../lib/replay/engine.ts';
import type { ReplayParams } from '../../lib/replay/params.ts';
import { presetFor, KERNEL_ERAS } from '../../lib/replay/presets.ts';
import { Rng } from '../../lib/replay/rng.ts';
import { runSweep } from '../../lib/replay/sweep.ts';
import type { ReplayInput, ReplayResult, RequestRow } from '../../lib/replay/types.ts';
import { generateTraffic } from '../../lib/sim/traffic.ts';
import { input } from './helpers.ts';

const EXPECTED_FILE = new URL('./golden.expected.json', import.meta.url);

/** JSON with NaN and ±Infinity spelled out (JSON.stringify would turn them into null). */
function json(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? `#${x}` : x));
}

/** Bytes of a numeric array as float64, NaN canonicalised (its bit pattern is not part of a result). */
function bytes(a: ArrayLike<number>): Buffer {
  const f = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) f[i] = Number.isNaN(a[i]!) ? -0.5 : a[i]!;
  return Buffer.from(f.buffer);
}

function digest(res: ReplayResult): string {
  const h = createHash('sha256');
  h.update(json(res.summary));
  const g = res.groups;
  h.update(String(g.count));
  for (const a of [
    g.lastRequestIndex,
    g.pasid,
    g.arrivalNs,
    g.reportNs,
    g.responseNs,
    g.doneNs,
    g.longestStage,
    g.latencyNs,
    g.deviceLatencyNs,
    g.lookupVisits,
    g.lookupNs,
    g.worker,
  ]) {
    h.update(bytes(a));
  }
  h.update(res.requestReportNs ? bytes(res.requestReportNs) : 'null');
  h.update(res.requestGroup ? bytes(res.requestGroup) : 'null');
  h.update(json(res.queueDepth));
  return h.digest('hex').slice(0, 16);
}

/** Unsorted rows with timestamp ties, Stop Markers, unfinished groups and PRG index reuse. */
function awkwardInput(): ReplayInput {
  const rng = new Rng(2024);
  const rows: RequestRow[] = [];
  for (let k = 0; k < 4000; k++) {
    const d = rng.nextInt(5);
    const t = BigInt(Math.floor(k / 6) * 900 + rng.nextInt(3) * 300);
    const common = {
      iommu: d < 3 ? 'dmar0' : 'dmar1',
      device: `0000:00:0${d + 1}.0`,
      rid: (d + 1) << 3,
      pasid: 1 + rng.nextInt(6) * (d + 1),
      prgi: rng.nextInt(8),
    };
    const u = rng.nextFloat();
    if (u < 0.03) rows.push({ ...common, tsNs: t, last: true, perm: '' });
    else rows.push({ ...common, tsNs: t, last: u > 0.45, perm: u > 0.7 ? 'rw' : 'r' });
  }
  return input(rows.reverse());
}

const sim = generateTraffic({ seed: 11, groups: 12_000, iommus: 2, devicesPerIommu: 3, pasidsPerDevice: 5, groupsPerSecond: 600_000 }).input;
const awkward = awkwardInput();

interface Case {
  name: string;
  inp: ReplayInput;
  era: (typeof KERNEL_ERAS)[number];
  over?: Partial<ReplayParams>;
  extras?: ReplayExtras;
  seed?: number;
}

const empirical = Float64Array.from({ length: 257 }, (_, i) => 400 + ((i * 7919) % 9000));
const cases: Case[] = [];
for (const era of KERNEL_ERAS) {
  cases.push({ name: `${era} sim`, inp: sim, era });
  cases.push({ name: `${era} sim tight`, inp: sim, era, over: { prqDepth: 16, priCredits: 16, workers: 2, maxRetries: 2, atsRetryNs: 20_000 } });
  cases.push({ name: `${era} awkward`, inp: awkward, era, over: { prqDepth: 8, workers: 3 }, extras: { requestDetail: true } });
}
for (const structure of ['list', 'rbtree', 'hash'] as const) {
  cases.push({ name: `v5.14 ${structure}`, inp: sim, era: 'v5.14', over: { structure } });
  cases.push({ name: `v6.9 ${structure}`, inp: sim, era: 'v6.9', over: { structure, attachmentWalk: 1 } });
}
for (const ridLookup of ['svm-devs', 'pci-bus'] as const) cases.push({ name: `v6.9 ${ridLookup}`, inp: sim, era: 'v6.9', over: { ridLookup } });
cases.push({ name: 'v5.17 fixed', inp: sim, era: 'v5.17', over: { serviceDist: 'fixed', workers: 1 } });
cases.push({ name: 'v6.9 exponential', inp: sim, era: 'v6.9', over: { serviceDist: 'exponential' }, seed: 5 });
cases.push({ name: 'v6.9 lognormal', inp: sim, era: 'v6.9', over: { serviceDist: 'lognormal', serviceP50Ns: 2500, serviceP99Ns: 120_000 } });
cases.push({ name: 'v6.11 nested + iommufd', inp: sim, era: 'v6.11', over: { nestedFallback: 1, iommufdDelivery: 1 } });
cases.push({ name: 'v5.14 open loop', inp: sim, era: 'v5.14', over: { priCredits: 1 << 20 } });
cases.push({ name: 'v6.9 recorded invalidations', inp: withInvalidations(sim), era: 'v6.9' });
cases.push({
  name: 'v6.1 empirical + calibration + detail',
  inp: sim,
  era: 'v6.1',
  over: { serviceDist: 'empirical', workers: 4 },
  extras: { serviceSamplesNs: empirical, recordedLatenciesNs: empirical, requestDetail: true, queueDepthBuckets: 37 },
});

// Latencies over 2^32 ns leave the integer percentile path for the general one.
cases.push({ name: 'v6.9 slow service', inp: sim, era: 'v6.9', over: { serviceDist: 'fixed', serviceP50Ns: 5e9, workers: 64 } });

/** The sim input with a dev-TLB and an IOTLB invalidation every 20 µs on each IOMMU. */
function withInvalidations(base: ReplayInput): ReplayInput {
  const end = base.tsNs[base.count - 1]!;
  const n = Math.floor(end / 20_000);
  const inv = { count: 2 * n, tsNs: new Float64Array(2 * n), iommu: new Int32Array(2 * n), kind: new Uint8Array(2 * n) };
  for (let k = 0; k < n; k++) {
    inv.tsNs[2 * k] = k * 20_000;
    inv.iommu[2 * k] = k % base.iommus.length;
    inv.kind[2 * k] = 1;
    inv.tsNs[2 * k + 1] = k * 20_000 + 7000;
    inv.iommu[2 * k + 1] = (k + 1) % base.iommus.length;
  }
  return { ...base, invalidations: inv };
}

/** The figures a reader compares when a hash moves. */
function figures(res: ReplayResult): Record<string, number | null> {
  const s = res.summary;
  return {
    answered: s.answered,
    p50: s.latency_ns.p50,
    p90: s.latency_ns.p90,
    p99: s.latency_ns.p99,
    device_p50: s.device_latency_ns.p50,
    device_p99: s.device_latency_ns.p99,
    drops: s.drops,
    retries: s.retries,
    credit_waits: s.credit_waits,
    lookup_ns_mean: s.lookup.ns_mean === null ? null : Math.round(s.lookup.ns_mean * 10) / 10,
  };
}

interface Expected {
  hash: string;
  figures: Record<string, number | null>;
}

/** Lines saying which figures moved, old → new with the relative change. */
export function movedFigures(before: Record<string, number | null>, after: Record<string, number | null>): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key] ?? null;
    const b = after[key] ?? null;
    if (a === b) continue;
    const rel = a !== null && b !== null && a !== 0 ? ` (${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)} %)` : '';
    out.push(`${key} ${a} → ${b}${rel}`);
  }
  return out;
}

const EXPECTED = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, Expected>;
const print = process.env.GOLDEN_PRINT === '1';
if (print && process.env.CI) throw new Error('GOLDEN_PRINT=1 only prints new expectations; it cannot be used under CI');
const printed: Record<string, Expected> = {};

function check(name: string, got: Expected): void {
  if (print) {
    printed[name] = got;
    return;
  }
  const want = EXPECTED[name];
  assert.ok(want, `no expectation recorded for ${name}`);
  if (got.hash === want.hash) return;
  const moved = movedFigures(want.figures, got.figures);
  assert.fail(
    `${name}: output changed (hash ${want.hash} → ${got.hash}); ${moved.length > 0 ? `figures moved: ${moved.join('; ')}` : 'no headline figure moved (a per-group value did)'}`,
  );
}

describe('golden replay outputs', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { model, params } = presetFor(c.era);
      const res = runReplay(c.inp, model, { ...params, ...c.over }, c.seed ?? 1, c.extras);
      check(c.name, { hash: digest(res), figures: figures(res) });
    });
  }
  it('sweep', () => {
    const sweep = runSweep(sim, { seed: 3, exponents: [0, 3, 7, 12, 19], maxGroupsPerPoint: 4000, seeds: 2 });
    const hash = createHash('sha256').update(json(sweep)).digest('hex').slice(0, 16);
    const pts = sweep.points;
    check('sweep', {
      hash,
      figures: { points: pts.length, device_p99_first: pts[0]?.device_latency_ns.p99 ?? null, device_p99_last: pts.at(-1)?.device_latency_ns.p99 ?? null },
    });
  });
  it('explains moved figures readably', () => {
    assert.deepEqual(movedFigures({ p50: 1000, drops: 0, answered: 5 }, { p50: 1250, drops: 3, answered: 5 }), ['p50 1000 → 1250 (+25.0 %)', 'drops 0 → 3']);
  });
  if (print) {
    it('prints the new expectations', () => {
      process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
    });
  }
});
