// Trace management against a real database: deleting a trace leaves none of its rows in any
// table that has a trace_id column (found from DuckDB's own catalog, not from the schema list
// the delete walks) nor results of its replay runs, while another trace's rows are untouched;
// renaming checks names and uniqueness; a second upload of the same file is found by hash.

import { TraceNameError } from '../../lib/core/errors.ts';
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createAnnotation } from '../../lib/db/annotations.ts';
import type { Db } from '../../lib/db/instance.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { runReplayForTrace } from '../../lib/services/replay-runs.ts';
import { saveView } from '../../lib/db/saved-views.ts';
import { sensitivityForTrace } from '../../lib/services/sensitivity.ts';
import { sweepForTrace } from '../../lib/services/sweeps.ts';
import { deleteTrace, renameTrace, sameFileTraces } from '../../lib/db/trace-admin.ts';
import { TRACES_DIR, withTempDb } from '../helpers/temp-db.ts';

/** Rows per table holding the trace (every table with a trace_id column, from the catalog) and its runs' results. */
async function rowsOf(db: Db, traceId: number): Promise<Record<string, number>> {
  const tables = await db.all<{ table_name: string }>(
    "SELECT DISTINCT table_name FROM duckdb_columns() WHERE column_name = 'trace_id' AND NOT internal ORDER BY 1",
  );
  assert.ok(tables.length >= 7, `tables with trace_id: ${tables.map((t) => t.table_name).join(', ')}`);
  const out: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [r] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM "${table_name}" WHERE trace_id = $1`, [traceId]);
    out[table_name] = Number(r!.n);
  }
  const [r] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM replay_results WHERE run_id IN (SELECT run_id FROM replay_runs WHERE trace_id = $1)', [
    traceId,
  ]);
  out.replay_results = Number(r!.n);
  return out;
}

async function populate(db: Db, file: string): Promise<number> {
  const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, file) });
  await runReplayForTrace(db, trace_id, { model: 'per-device', seed: 1 });
  await sweepForTrace(db, trace_id, { exponents: [0, 2], maxGroupsPerPoint: 50 });
  await sensitivityForTrace(db, trace_id, { model: 'domain-wide', seeds: 1 });
  await createAnnotation(db, { trace_id, author: 'me', text: 'a note', start_ns: 1n, end_ns: 2n });
  await saveView(db, { name: 'slow', url: `/traces/${trace_id}/groups?sort=latency&dir=desc` });
  return trace_id;
}

describe('trace management', () => {
  it('delete removes every row of the trace in every table, and nothing of another', async () => {
    await withTempDb(async (db) => {
      const a = await populate(db, 'intel-v6.9-trace.txt');
      const b = await populate(db, 'intel-v5.14-trace.txt');
      const before = await rowsOf(db, a);
      for (const [t, n] of Object.entries(before)) assert.ok(n > 0, `trace ${a} has rows in ${t} before the delete`);
      const otherBefore = await rowsOf(db, b);
      const deleted = await deleteTrace(db, a);
      assert.deepEqual(deleted.removed, before, 'the counts it reports are the rows that were there');
      const after = await rowsOf(db, a);
      for (const [t, n] of Object.entries(after)) assert.equal(n, 0, `${t} still holds rows of trace ${a}`);
      assert.deepEqual(await rowsOf(db, b), otherBefore);
      await assert.rejects(deleteTrace(db, a), /no trace with id/);
    });
  });

  it('rename: trimmed, unique, never only digits; the old name is free again', async () => {
    await withTempDb(async (db) => {
      const { trace_id: a } = await ingestFile(db, { file: path.join(TRACES_DIR, 'sim-small.csv') });
      const { trace_id: b } = await ingestFile(db, { file: path.join(TRACES_DIR, 'sim-small.jsonl') });
      assert.deepEqual(await renameTrace(db, a, '  run 7 baseline  '), { trace_id: a, old_name: 'sim-small.csv', name: 'run 7 baseline' });
      const [row] = await db.all<{ name: string }>('SELECT name FROM traces WHERE trace_id = $1', [a]);
      assert.equal(row!.name, 'run 7 baseline');
      await assert.rejects(renameTrace(db, b, 'run 7 baseline'), (e) => e instanceof TraceNameError && e.taken);
      for (const bad of ['', '   ', '12345', 'a\nb', 'x'.repeat(201), 42]) {
        await assert.rejects(renameTrace(db, b, bad), (e) => e instanceof TraceNameError && !e.taken, JSON.stringify(bad));
      }
      await renameTrace(db, b, 'sim-small.csv');
      await assert.rejects(renameTrace(db, 999, 'x'), /no trace with id 999/);
    });
  });

  it('the same file uploaded twice is found by its hash', async () => {
    await withTempDb(async (db) => {
      const file = path.join(TRACES_DIR, 'intel-v6.9-trace.txt');
      const { trace_id: a } = await ingestFile(db, { file });
      const { trace_id: other } = await ingestFile(db, { file: path.join(TRACES_DIR, 'intel-v5.14-trace.txt') });
      assert.deepEqual(await sameFileTraces(db, a), []);
      const { trace_id: b, name } = await ingestFile(db, { file });
      assert.equal(name, 'intel-v6.9-trace.txt (2)');
      assert.deepEqual(
        (await sameFileTraces(db, b)).map((t) => t.trace_id),
        [a],
      );
      assert.deepEqual(
        (await sameFileTraces(db, a)).map((t) => t.trace_id),
        [b],
      );
      assert.deepEqual(await sameFileTraces(db, other), []);
    });
  });
});
