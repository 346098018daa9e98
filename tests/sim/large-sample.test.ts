// The bundled large sample is the first trace the dashboard shows, replayed beside today's
// engine: it must be what scripts/make-large-sample.ts writes with today's simulator. The
// committed file had been written by the first-version simulator, and replayed with its own
// era it was 25 % off at p50 and 107 % at p99. When the simulator changes, regenerate it
// (node --import tsx scripts/make-large-sample.ts) and say so in the commit.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { it } from 'node:test';

import { LARGE_SAMPLE, writeLargeSample } from '../../scripts/make-large-sample.ts';

it('traces/large-intel-v6.9.trace.gz is what the simulator writes today', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'large-sample-'));
  try {
    const out = path.join(dir, 'large.trace.gz');
    writeLargeSample(out);
    // Compared as text: the same lines whatever zlib's build does to the compressed bytes.
    const want = zlib.gunzipSync(fs.readFileSync(out));
    const got = zlib.gunzipSync(fs.readFileSync(LARGE_SAMPLE));
    assert.ok(got.equals(want), `${LARGE_SAMPLE} differs from a fresh simulation (${got.length} against ${want.length} bytes of text): regenerate it`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
