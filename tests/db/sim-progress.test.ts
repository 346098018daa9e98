// A simulator file reports decode progress as the ftrace and .dat paths do: by the file's
// bytes read (compressed ones for gzip), never falling, reaching 1 at the end of the file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { simulate, writeSimCsv, writeSimJsonl, type SimEvents } from '../../lib/sim/index.ts';
import { ingestFile, type IngestProgress } from '../../lib/services/ingest.ts';
import { tempDir, withTempDb } from '../helpers/temp-db.ts';

function text(write: (ev: SimEvents, emit: (c: string) => void) => void, ev: SimEvents): string {
  let s = '';
  write(ev, (c) => (s += c));
  return s;
}

describe('simulator ingest progress', () => {
  // ~200 000 events: three full batches of 65 536 rows and a last one.
  const sim = simulate({ seed: 5, groups: 80_000, devicesPerIommu: 3, iommus: 2 });
  const dir = tempDir();
  const files: Record<string, string> = {};
  files.csv = path.join(dir, 'sim.csv');
  fs.writeFileSync(files.csv, text(writeSimCsv, sim.events));
  files.jsonl = path.join(dir, 'sim.jsonl');
  fs.writeFileSync(files.jsonl, text(writeSimJsonl, sim.events));
  files['csv.gz'] = path.join(dir, 'sim.csv.gz');
  fs.writeFileSync(files['csv.gz'], zlib.gzipSync(fs.readFileSync(files.csv)));

  for (const [kind, file] of Object.entries(files)) {
    it(`${kind}: rises by bytes read to 1`, async () => {
      await withTempDb(async (db) => {
        const seen: IngestProgress[] = [];
        const r = await ingestFile(db, { file, onProgress: (p) => seen.push(p) });
        assert.equal(r.events, sim.events.count);
        const decode = seen.filter((p) => p.phase === 'decode' && p.fraction !== undefined).map((p) => p.fraction!);
        // the first report is the 0 every ingest starts with
        assert.ok(decode.length >= 5, `${decode.length} decode progress reports`);
        assert.ok(
          decode.some((f) => f > 0 && f < 1),
          'a report inside the file',
        );
        assert.ok(
          decode.every((f, i) => i === 0 || f >= decode[i - 1]!),
          `never falls: ${decode.join(' ')}`,
        );
        assert.equal(decode.at(-1), 1);
      });
    });
  }
});
