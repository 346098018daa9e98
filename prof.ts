import { replayPrepared } from './lib/replay/engine.ts';
import { prepareInput } from './lib/replay/prepare.ts';
import { defaultPresetForModel } from './lib/replay/presets.ts';
import { generateTraffic } from './lib/sim/traffic.ts';
const model = (process.argv[2] ?? 'domain-wide') as 'domain-wide';
const prep = prepareInput(generateTraffic({ seed: 1, iommus: 2, devicesPerIommu: 4, pasidsPerDevice: 4, groupsPerSecond: 200_000, groups: 300_000 }).input);
const params = defaultPresetForModel(model).params;
for (let k = 0; k < 6; k++) {
  const c = process.cpuUsage();
  const r = replayPrepared(prep, model, params, 1);
  const ms = process.cpuUsage(c).user / 1000;
  console.log(model, Math.round(r.summary.groups / ms * 1000), 'groups/cpu-s', JSON.stringify(r.summary.stage_time_ns), r.summary.drops, r.summary.credit_waits);
}
