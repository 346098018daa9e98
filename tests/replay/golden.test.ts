// Pins the replay's exact output: fixed-seed replays of simulated and hand-shaped traces,
// across presets, structures, service distributions, overflow and the sweep, hashed bit for
// bit (summaries, every per-group and per-request array, queue depth). The hashes were
// recorded before the engine's speed work; an optimisation that changes any of them changed
// a result. Set GOLDEN_PRINT=1 to print the current hashes.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { runReplay, type ReplayExtras } from '../../lib/replay/engine.ts';
import type { ReplayParams } from '../../lib/replay/params.ts';
import { presetFor, KERNEL_ERAS } from '../../lib/replay/presets.ts';
import { Rng } from '../../lib/replay/rng.ts';
import { runSweep } from '../../lib/replay/sweep.ts';
import type { ReplayInput, ReplayResult, RequestRow } from '../../lib/replay/types.ts';
import { generateTraffic } from '../../lib/sim/traffic.ts';
import { input } from './helpers.ts';

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
  for (const a of [g.lastRequestIndex, g.pasid, g.arrivalNs, g.reportNs, g.responseNs, g.latencyNs, g.deviceLatencyNs, g.lookupVisits, g.lookupNs, g.worker]) {
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
    const common = { iommu: d < 3 ? 'dmar0' : 'dmar1', device: `0000:00:0${d + 1}.0`, rid: (d + 1) << 3, pasid: 1 + rng.nextInt(6) * (d + 1), prgi: rng.nextInt(8) };
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
  cases.push({ name: `${era} sim tight`, inp: sim, era, over: { prqDepth: 16, workers: 2, maxRetries: 2, retryTimeoutNs: 20_000 } });
  cases.push({ name: `${era} awkward`, inp: awkward, era, over: { prqDepth: 8, workers: 3 }, extras: { requestDetail: true } });
}
for (const structure of ['list', 'rbtree', 'hash'] as const) {
  cases.push({ name: `v5.14 ${structure}`, inp: sim, era: 'v5.14', over: { structure } });
  cases.push({ name: `v6.9 ${structure}`, inp: sim, era: 'v6.9', over: { structure, attachmentWalk: 1 } });
}
for (const ridLookup of ['svm-devs', 'pci-bus'] as const) cases.push({ name: `v6.9 ${ridLookup}`, inp: sim, era: 'v6.9', over: { ridLookup } });
cases.push({ name: 'v5.17 fixed', inp: sim, era: 'v5.17', over: { serviceDist: 'fixed', workers: 1 } });
cases.push({ name: 'v6.9 exponential', inp: sim, era: 'v6.9', over: { serviceDist: 'exponential' }, seed: 5 });
cases.push({
  name: 'v6.1 empirical + calibration + detail',
  inp: sim,
  era: 'v6.1',
  over: { serviceDist: 'empirical', workers: 4 },
  extras: { serviceSamplesNs: empirical, recordedLatenciesNs: empirical, requestDetail: true, queueDepthBuckets: 37 },
});

// Latencies over 2^32 ns leave the integer percentile path for the general one.
cases.push({ name: 'v6.9 slow service', inp: sim, era: 'v6.9', over: { serviceDist: 'fixed', serviceP50Ns: 5e9, workers: 64 } });

const EXPECTED: Record<string, string> = {
  'v5.14 sim': 'b18df1a4279a008e',
  'v5.14 sim tight': '9e8ae86c5862df92',
  'v5.14 awkward': '283e74e604fcceec',
  'v5.17 sim': 'da2d9de3cf8582f7',
  'v5.17 sim tight': '9e8ae86c5862df92',
  'v5.17 awkward': '283e74e604fcceec',
  'v6.1 sim': '89ec33b625010e03',
  'v6.1 sim tight': '154839198bd0d39a',
  'v6.1 awkward': 'b78066176abb6183',
  'v6.9 sim': 'c77988e776b1c193',
  'v6.9 sim tight': 'ad31db5bb78ebd9b',
  'v6.9 awkward': 'd48a76f37291a652',
  'v6.11 sim': 'c77988e776b1c193',
  'v6.11 sim tight': 'ad31db5bb78ebd9b',
  'v6.11 awkward': 'd48a76f37291a652',
  'v5.14 list': '8dc2245cfb852f87',
  'v6.9 list': '8108791003616ec8',
  'v5.14 rbtree': '953ee46c0dfaf449',
  'v6.9 rbtree': 'ea39654fb0f127dc',
  'v5.14 hash': 'eef2352aec1252be',
  'v6.9 hash': 'e2c9e642d7da24d0',
  'v6.9 svm-devs': '543edbe78c6ab631',
  'v6.9 pci-bus': '4eb358a8c0a19c02',
  'v5.17 fixed': '3419901329132ecf',
  'v6.9 exponential': '73e525e0fd0cccc9',
  'v6.1 empirical + calibration + detail': '3933c3b5a8182881',
  'v6.9 slow service': '833fcc5cbfeddaab',
  sweep: '6b03c89a79d07cc4',
};

describe('golden replay outputs', () => {
  const print = process.env.GOLDEN_PRINT === '1';
  for (const c of cases) {
    it(c.name, () => {
      const { model, params } = presetFor(c.era);
      const got = digest(runReplay(c.inp, model, { ...params, ...c.over }, c.seed ?? 1, c.extras));
      if (print) console.log(`  '${c.name}': '${got}',`);
      else assert.equal(got, EXPECTED[c.name]);
    });
  }
  it('sweep', () => {
    const sweep = runSweep(sim, { seed: 3, exponents: [0, 3, 7, 12, 19], maxGroupsPerPoint: 4000, listVisitBudget: 2 ** 18 });
    const got = createHash('sha256').update(json(sweep)).digest('hex').slice(0, 16);
    if (print) console.log(`  sweep: '${got}',`);
    else assert.equal(got, EXPECTED.sweep);
  });
});
