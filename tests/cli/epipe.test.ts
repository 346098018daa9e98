// `pritrace … | head`: a reader that stops reading must not make the CLI die with an EPIPE
// stack trace. Each verb here is spawned with its stdout pipe closed by the parent before the
// CLI's first write (the CLI needs a second to start), which is what `| head` does to a verb
// still printing: the write fails with EPIPE. Exit 0 and an empty stderr are expected.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'pritrace');
const ENV = { ...process.env, PRITRACE_DB: '' };

/** Runs the CLI with its stdout closed on the reading side from the start; its exit code and stderr. */
function withClosedReader(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('pritrace with a reader that closes early', () => {
  const db = path.join(tempDir(), 'epipe.duckdb');

  it('setup: one ingested trace', () => {
    const r = spawnSync(BIN, ['ingest', path.join(TRACES_DIR, 'sim-small.csv'), '--db', db], { env: ENV, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  const VERBS: string[][] = [
    ['--help'],
    ['list', '--db', db],
    ['stats', '1', '--db', db],
    ['stats', '1', '--db', db, '--json'],
    ['sweep', '1', '--db', db, '--max-groups', '200'],
  ];
  for (const args of VERBS) {
    it(`${args.filter((a) => a !== db && a !== '--db').join(' ')}: exits 0 with nothing on stderr`, async () => {
      const r = await withClosedReader(args);
      assert.equal(r.stderr, '', 'no EPIPE stack trace');
      assert.equal(r.code, 0);
    });
  }
});
