// A database written before the stored group summary existed (traces.groups, answered_groups,
// latency_p99_ns) gets the columns and their values when it is next opened.

import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { ingestFile } from '../../lib/services/ingest.ts';
import { closeDbInstance, openDb } from '../../lib/db/instance.ts';
import { traceStats } from '../../lib/queries/trace-stats.ts';
import { listTraces } from '../../lib/queries/traces.ts';
import { tempDir, TRACES_DIR } from '../helpers/temp-db.ts';

it('an older database gains the stored group summary, filled from its fault groups', async () => {
  const dbPath = path.join(tempDir(), 'old.duckdb');
  let db = await openDb(dbPath);
  const r = await ingestFile(db, { file: path.join(TRACES_DIR, 'intel-v6.9-trace.txt') });
  for (const col of ['groups', 'answered_groups', 'latency_p99_ns']) await db.run(`ALTER TABLE traces DROP COLUMN ${col}`);
  db.close();
  await closeDbInstance(dbPath);

  db = await openDb(dbPath);
  try {
    const stats = await traceStats(db, r.trace_id);
    const [t] = await listTraces(db);
    assert.deepEqual(
      { groups: t!.groups, answered: t!.answered, p99_ns: t!.p99_ns },
      { groups: stats.groups.total, answered: stats.groups.answered, p99_ns: stats.latency_ns.p99 },
    );
    assert.ok(stats.latency_ns.p99 !== null && stats.groups.answered > 0, 'the sample has answered groups');
  } finally {
    db.close();
    await closeDbInstance(dbPath);
  }
});
