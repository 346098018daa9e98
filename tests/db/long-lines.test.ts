// Lines over PRITRACE_MAX_LINE_BYTES are located bad lines, never dropped: DuckDB's reader used
// to skip a ≥ 32 MiB line without a reject row, shifting nothing but losing the report. Here a
// 33 MiB zero-filled hole (what a crashed recorder leaves) and a 2 MiB text line sit in a file
// cut into two worker parts, the cut falling inside the hole: both are reported on their own
// line numbers and every later event keeps its line.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestFile } from '../../lib/services/ingest.ts';
import { tempFile, withTempDb } from '../helpers/temp-db.ts';

const request = (i: number) =>
  ` irq/56-dmar0-pr-1042    [006] .....  5823.${String(100000 + 2 * i)}: prq_report: dmar0/0000:00:0a.0 seq# ${i}: rid=0x50 addr=0x559ef6f97 r---l pasid=0x2 index=0x${(i % 64).toString(16)}`;
const response = (i: number) => {
  const qw1 = (((i % 64) << 3) | 4).toString(16);
  return `   kworker/u16:3-2215    [001] d..1.  5823.${String(100001 + 2 * i)}: qi_submit: page_grp_resp dmar0: 0x200500019 0x${qw1} 0x0 0x0`;
};

describe('lines over the limit', () => {
  it('a 33 MiB zero-filled line and a 2 MiB line are located, across the worker cut', { timeout: 300_000 }, async () => {
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) lines.push(request(i), response(i));
    lines.splice(100, 0, '\0'.repeat(33 << 20)); // line 101
    lines.splice(201, 0, 'y'.repeat(2 << 20)); // line 202
    const file = tempFile('hole.trace', lines.join('\n') + '\n');
    await withTempDb(async (db) => {
      for (const parts of [1, 2]) {
        const r = await ingestFile(db, { file, name: `hole-${parts}`, decodeParts: parts });
        assert.equal(r.lines, 302);
        assert.equal(r.bad_lines, 2);
        assert.equal(r.page_requests, 150);
        assert.equal(r.groups.answered, 150);
        assert.match(r.warnings[0]!, /^hole\.trace:101:1: line longer than the limit \(PRITRACE_MAX_LINE_BYTES\)$/);
        assert.match(r.warnings[1]!, /^hole\.trace:202:1: line longer than the limit \(PRITRACE_MAX_LINE_BYTES\)$/);
        const around = await db.all<{ line: bigint; seq: bigint | null }>(
          'SELECT line, seq FROM events WHERE trace_id = $1 AND line IN (100, 102, 201, 203, 302) ORDER BY line',
          [r.trace_id],
        );
        // Before the hole, line 2i+1 is request i and 2i+2 response i: 100 is response 49. After
        // it, one line later: 102 is request 50, 201 response 99; after the long line two
        // later: 203 is request 100, 302 response 149.
        assert.deepEqual(
          around.map((e) => [Number(e.line), e.seq === null ? null : Number(e.seq)]),
          [
            [100, null],
            [102, 50],
            [201, null],
            [203, 100],
            [302, null],
          ],
        );
      }
    });
  });
});
