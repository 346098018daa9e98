// What-if speed (issue 12 target: a whatif of 1 M groups with K = 8 in ≤ 10 s on 2 cores):
// both sides (per-device v5.17, domain-wide v6.9) × 8 seeds = 16 replays of a simulated
// 1 M-group trace, dealt over every core's worker thread, then compared. The engine part of
// `pritrace whatif`; the CLI also loads the trace from DuckDB and saves both runs' groups.
// Run with `node --import tsx scripts/bench-whatif.ts`; the project bench runs this file in a process of its own.

import os from 'node:os';
import { pathToFileURL } from 'node:url';

import { replayBatchOffThread } from '../lib/replay/off-thread.ts';
import { defaultPresetForModel } from '../lib/replay/presets.ts';
import { seedList, seedSamplesOf } from '../lib/replay/seed-samples.ts';
import { MODEL_NAMES } from '../lib/replay/types.ts';
import { compareRuns } from '../lib/replay/whatif.ts';
import { generateTraffic } from '../lib/sim/traffic.ts';

const GROUPS = 1_000_000;
const K = 8;

export async function benchWhatif(): Promise<Record<string, number | string>> {
  const input = generateTraffic({ seed: 1, iommus: 2, devicesPerIommu: 4, pasidsPerDevice: 4, groupsPerSecond: 200_000, groups: GROUPS }).input;
  const threads = os.availableParallelism();
  const seeds = seedList(1, K);
  const runs = MODEL_NAMES.flatMap((model) => seeds.map((seed) => ({ model, params: defaultPresetForModel(model).params, seed })));
  const cpu = process.cpuUsage();
  const t = performance.now();
  const { summaries } = await replayBatchOffThread(input, runs, { threads });
  const [a, b] = MODEL_NAMES.map((model, i) => ({
    label: `${model} ${defaultPresetForModel(model).era}`,
    model,
    preset: defaultPresetForModel(model).era,
    samples: seedSamplesOf(summaries.slice(i * K, (i + 1) * K)),
  }));
  const w = compareRuns(a!, b!);
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    input: `${GROUPS} groups, ${input.count} requests; ${runs.length} replays (2 sides × ${K} seeds) on ${threads} worker threads`,
    whatif_s: `${seconds.toFixed(2)} (target ≤ 10 s on 2 cores)`,
    // Worker threads' CPU is the process's: user + system over wall time shows the cores used.
    whatif_cpu_s: ((used.user + used.system) / 1e6).toFixed(1),
    load_average: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    verdict: w.verdict,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchWhatif();
  for (const [k, v] of Object.entries(result)) console.log(`${k}: ${v}`);
}
