// Writes the trace-cmd .dat samples in traces/ (test tooling; `npm run samples` runs it): v6
// files from tests/fixtures/dat/write-dat.ts, then `trace-cmd convert` (Debian's trace-cmd,
// the oracle) turns the base file into v7 uncompressed and v7 zstd, and the writer
// recompresses the uncompressed v7 file with zlib (Debian's trace-cmd has no zlib).
// Same bytes on every run for the v6 and zlib files; trace-cmd's own v7 files embed no time.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { baseRecords, CMDLINES } from '../tests/fixtures/dat/scenarios.ts';
import { recompressV7Zlib, writeDatV6, type FixtureRecord } from '../tests/fixtures/dat/write-dat.ts';

const dir = path.resolve(import.meta.dirname, '..', 'traces');
const out = (name: string) => path.join(dir, name);
const clock = 'local global counter uptime perf mono mono_raw boot x86-tsc';

export function lostRecords(): FixtureRecord[] {
  const r = baseRecords();
  r[3]!.lostBefore = 17; // CPU 0, before the PASID 3 request
  r[6]!.lostBefore = 5; // CPU 1, before the Failure response
  return r;
}

export function timeRecords(): FixtureRecord[] {
  const r = baseRecords();
  // From the 7th record on, every record is 1.5 s later: deltas over 2^27 ns need TIME_EXTEND.
  r.forEach((x, i) => {
    if (i >= 6) x.ts += 1_500_000_000n + BigInt(i) * 200_000_000n;
  });
  r[9]!.absolute = true; // the orphan response carries an absolute TIME_STAMP
  r[1]!.padAfter = 24; // a discarded event after the first last-page request
  return r;
}

export function instanceRecords(): FixtureRecord[] {
  return baseRecords().map((x) => (['io_page_fault', 'map', 'unmap', 'dev_fault', 'dev_page_response'].includes(x.event) ? { ...x, instance: 'vendor' } : x));
}

/** Raw timestamps as TSC cycles at half the ns value: TSC2NSEC (mult 2^30, shift 29) doubles them back. */
export function tscRecords(): FixtureRecord[] {
  return baseRecords().map((x) => ({ ...x, ts: x.ts / 2n }));
}

function main(): void {
  fs.writeFileSync(out('intel-v6.dat'), writeDatV6(baseRecords(), { cpus: 3, cmdlines: CMDLINES, clock }));
  fs.writeFileSync(out('intel-lost-v6.dat'), writeDatV6(lostRecords(), { cpus: 3, cmdlines: CMDLINES, clock }));
  fs.writeFileSync(out('intel-time-extend-v6.dat'), writeDatV6(timeRecords(), { cpus: 3, cmdlines: CMDLINES, clock }));
  fs.writeFileSync(out('intel-instances-v6.dat'), writeDatV6(instanceRecords(), { cpus: 3, cmdlines: CMDLINES, clock, instances: ['vendor'] }));
  fs.writeFileSync(
    out('intel-be32-tsc-v6.dat'),
    writeDatV6(tscRecords(), {
      cpus: 3,
      cmdlines: CMDLINES,
      clock,
      endian: 'be',
      longSize: 4,
      cpuCount: 4,
      tsc2nsec: { mult: 1 << 30, shift: 29, offset: 0n },
      offset: '1000000000',
    }),
  );
  for (const [file, compression] of [
    ['intel-v7-none.dat', 'none'],
    ['intel-v7-zstd.dat', 'zstd'],
  ] as const) {
    execFileSync('trace-cmd', ['convert', '-i', out('intel-v6.dat'), '-o', out(file), '--file-version', '7', '--compression', compression], { stdio: 'pipe' });
  }
  fs.writeFileSync(out('intel-v7-zlib.dat'), recompressV7Zlib(new Uint8Array(fs.readFileSync(out('intel-v7-none.dat')))));
}

if (process.argv[1] === import.meta.filename) main();
