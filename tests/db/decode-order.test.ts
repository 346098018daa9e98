// Line numbers come from the stage's rowids, so the decode statement must keep file order:
// DuckDB's CREATE TABLE AS stores rows in input order only when every operator of the plan
// preserves order. A join does not (DuckDB turned a long `event IN (...)` list into one), and
// with it a 1 M-line file got half its line numbers shifted by ~490k on a busy machine; a
// small test file never shows it (one reader buffer, one thread), so the plan is checked.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ftraceDecodeSelect } from '../../lib/trace/formats/ftrace/decode-sql.ts';
import { tempFile, withTempDb } from '../helpers/temp-db.ts';

describe('ftrace decode keeps file order', () => {
  for (const opts of [
    { gzip: false, crlf: false },
    { gzip: false, crlf: true },
  ]) {
    it(`has no order-breaking operator in its plan (crlf ${opts.crlf})`, async () => {
      const file = tempFile('t.trace', 'x-1 [000] 1.000000: map: x\n');
      await withTempDb(async (db) => {
        const rows = await db.all<{ explain_value: string }>(
          `EXPLAIN ${ftraceDecodeSelect({ ...opts, maxLineBytes: 1 << 20 }, 'rej', 'rej_scan')}`,
          [file],
        );
        const plan = rows.map((r) => r.explain_value).join('\n');
        assert.match(plan, /READ_CSV/);
        assert.doesNotMatch(plan, /JOIN|ORDER_BY|HASH_GROUP_BY|WINDOW/);
      });
    });
  }
  it('runs with insertion order preserved', async () => {
    await withTempDb(async (db) => {
      const [r] = await db.all<{ v: boolean }>("SELECT current_setting('preserve_insertion_order') AS v");
      assert.equal(r!.v, true);
    });
  });
});
