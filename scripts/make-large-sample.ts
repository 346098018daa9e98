// Writes the bundled large sample, traces/large-intel-v6.9.trace.gz: simulated Intel VT-d
// traffic (2 IOMMUs, 8 devices, 128 PASIDs, bursty arrivals) through the domain-wide model
// with the v6.9 preset, as a v6.9 kernel's ftrace `trace` file. Deterministic (seeded): the
// same bytes on every run. The dashboard ingests it on first start.
// Run: node --import tsx scripts/make-large-sample.ts

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { simulate, writeIntelFtrace } from '../lib/sim/index.ts';

export const LARGE_SAMPLE = path.resolve(import.meta.dirname, '..', 'traces', 'large-intel-v6.9.trace.gz');

export function writeLargeSample(out = LARGE_SAMPLE): { events: number; bytes: number } {
  const sim = simulate({
    seed: 20261125,
    groups: 120_000,
    iommus: 2,
    devicesPerIommu: 4,
    pasidsPerDevice: 16,
    groupsPerSecond: 150_000,
    preset: 'v6.9',
    invalidFraction: 0.004,
    failureFraction: 0.001,
  });
  const chunks: string[] = [];
  writeIntelFtrace(sim.events, (c) => chunks.push(c));
  const gz = zlib.gzipSync(Buffer.from(chunks.join('')), { level: 9 });
  fs.writeFileSync(out, gz);
  return { events: sim.events.count, bytes: gz.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = writeLargeSample();
  process.stdout.write(`${LARGE_SAMPLE}: ${r.events} events, ${r.bytes} bytes gzipped\n`);
}
