// A trace appears whole or not at all: files that fail during ingest (too many bad lines deep
// in the file, a limit hit after the events were inserted) leave no rows behind, and the
// database keeps working for the next ingest.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceRejectedError } from '../../lib/core/errors.ts';
import type { Db } from '../../lib/db/instance.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { tempFile, withTempDb } from '../helpers/temp-db.ts';

const GOOD = ' irq/56-dmar0-pr-1042    [006] .....  5823.%s: prq_report: dmar0/0000:00:0a.0 seq# %d: rid=0x50 addr=0x559ef6f97 r---l pasid=0x2 index=0x1';
const goodLine = (i: number) => GOOD.replace('%s', String(100000 + i)).replace('%d', String(i));

async function rowCounts(db: Db): Promise<number[]> {
  const [r] = await db.all<Record<string, bigint>>(
    'SELECT (SELECT count(*) FROM traces) t, (SELECT count(*) FROM events) e, (SELECT count(*) FROM fault_groups) g',
  );
  return [Number(r!.t), Number(r!.e), Number(r!.g)];
}

describe('atomic ingest', () => {
  it('a file whose second half is garbage leaves no trace, events or groups', async () => {
    const lines = [...Array.from({ length: 500 }, (_, i) => goodLine(i)), ...Array.from({ length: 500 }, (_, i) => `garbage ${i}`)];
    const file = tempFile('half-bad.txt', lines.join('\n') + '\n');
    await withTempDb(async (db) => {
      await assert.rejects(ingestFile(db, { file }), (e: unknown) => {
        assert.ok(e instanceof TraceRejectedError);
        assert.match(e.message, /500 of 1000 lines are bad/);
        assert.equal(e.locations[0]!.location.line, 501);
        assert.equal(e.locations[0]!.location.file, 'half-bad.txt');
        return true;
      });
      assert.deepEqual(await rowCounts(db), [0, 0, 0]);
      const ok = await ingestFile(db, { file: tempFile('good.txt', lines.slice(0, 500).join('\n')) });
      assert.equal(ok.page_requests, 500);
      assert.deepEqual(await rowCounts(db), [1, 500, 500]);
    });
  });

  it('a limit hit after events and groups were written rolls everything back', async () => {
    const file = tempFile('many.txt', Array.from({ length: 50 }, (_, i) => goodLine(i)).join('\n'));
    await withTempDb(async (db) => {
      await assert.rejects(ingestFile(db, { file, limits: { maxEvents: 10 } }), /50 events exceed the limit of 10/);
      assert.deepEqual(await rowCounts(db), [0, 0, 0]);
    });
  });

  it('bad lines under the threshold are counted with their location and the trace is kept', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => goodLine(i));
    lines[120] = lines[120]!.replace('index=0x1', 'index=0xZZ');
    const file = tempFile('one-bad.txt', lines.join('\n'));
    await withTempDb(async (db) => {
      const r = await ingestFile(db, { file });
      assert.equal(r.bad_lines, 1);
      assert.equal(r.page_requests, 299);
      assert.match(r.warnings[0]!, /^one-bad\.txt:121:\d+: malformed prq_report fields/);
    });
  });
});
