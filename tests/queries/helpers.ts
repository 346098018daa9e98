// One real DuckDB file per test file, with a few samples from traces/ ingested through the
// same path uploads take, plus an independent nearest-rank percentile for cross-checks.

import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { ingestFile } from '../../lib/services/ingest.ts';
import { closeDbInstance, openDb, type Db } from '../../lib/db/instance.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';

export interface Fixture {
  db: Db;
  dbPath: string;
  /** trace_id per sample file name. */
  ids: Record<string, number>;
}

/** Registers before/after hooks that ingest `samples` into a fresh database for the file's tests. */
export function useSamples(samples: readonly string[]): Fixture {
  const fx = { ids: {} } as Fixture;
  let dir = '';
  before(async () => {
    dir = tempDir('pritrace-queries-');
    fx.dbPath = path.join(dir, 'test.duckdb');
    fx.db = await openDb(fx.dbPath);
    for (const s of samples) {
      const r = await ingestFile(fx.db, { file: path.join(TRACES_DIR, s) });
      fx.ids[s] = r.trace_id;
    }
  });
  after(async () => {
    fx.db?.close();
    await closeDbInstance(fx.dbPath);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return fx;
}

/** Nearest rank: the value at index ceil(q·n) − 1 of the sorted values (DESIGN §4a). */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

export async function answeredLatencies(db: Db, traceId: number, where = '', params: (string | number)[] = []): Promise<number[]> {
  const rows = await db.all<{ l: bigint }>(
    `SELECT latency_ns AS l FROM fault_groups WHERE trace_id = $1 AND status = 'answered' ${where} ORDER BY latency_ns`,
    [traceId, ...params],
  );
  return rows.map((r) => Number(r.l));
}
