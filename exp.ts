import { runReplay } from './lib/replay/engine.ts';
import { presetFor } from './lib/replay/presets.ts';
import { generateTraffic } from './lib/sim/traffic.ts';
const gps = Number(process.argv[2] ?? 200000); const W = Number(process.argv[3] ?? 8);
for (const seed of [1, 2]) {
  const inp = generateTraffic({ seed, groups: 30_000, iommus: 4, devicesPerIommu: 4, pasidsPerDevice: 8, groupsPerSecond: gps }).input;
  for (const era of ['v5.14', 'v5.17', 'v6.1', 'v6.9'] as const) {
    const { model, params } = presetFor(era);
    const s = runReplay(inp, model, { ...params, workers: W }, seed).summary;
    console.log(seed, era, 'lat', s.latency_ns.p50, s.latency_ns.p99, 'dev', s.device_latency_ns.p50, s.device_latency_ns.p99, 'drops', s.drops, 'cw', s.credit_waits, JSON.stringify(s.stage_time_ns), JSON.stringify(s.lock_wait_ns));
  }
}
