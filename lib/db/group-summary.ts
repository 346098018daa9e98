// The group summary stored on each trace (traces.groups, answered_groups, latency_p99_ns), so
// listings need not scan fault_groups: filled in the ingest's transaction after pairing, and
// when a database written before these columns existed is opened.

import { COMPLETED_GROUP_SQL } from '../trace/schema.ts';
import type { Db } from './instance.ts';

type Queries = Pick<Db, 'all' | 'run'>;

/**
 * Fills traceId's summary. p99 is the nearest rank (the ⌈0.99·n⌉-th smallest answered
 * latency, what quantile_disc gives), read as the one at descending offset ⌊n / 100⌋ of a
 * sort: quantile_disc keeps every value in a vector outside DuckDB's buffer pool, which on
 * a 25 M-line trace (8.3 M answered groups) lifted the ingest's peak RSS by ~100 MB at the
 * end of the pair phase, where the sort stays in the pool and spills.
 */
export async function fillTraceGroupSummary(db: Queries, traceId: number): Promise<void> {
  const [c] = await db.all<{ total: bigint; answered: bigint }>(
    `SELECT count(*) FILTER (${COMPLETED_GROUP_SQL}) AS total, count(latency_ns) FILTER (status = 'answered') AS answered
     FROM fault_groups WHERE trace_id = $1`,
    [traceId],
  );
  const answered = Number(c!.answered);
  let p99: bigint | null = null;
  if (answered > 0) {
    const [r] = await db.all<{ latency_ns: bigint }>(
      `SELECT latency_ns FROM fault_groups WHERE trace_id = $1 AND status = 'answered' AND latency_ns IS NOT NULL
       ORDER BY latency_ns DESC LIMIT 1 OFFSET $2`,
      [traceId, Math.floor(answered / 100)],
    );
    p99 = r!.latency_ns;
  }
  await db.run('UPDATE traces SET groups = $2, answered_groups = $3, latency_p99_ns = $4 WHERE trace_id = $1', [traceId, c!.total, BigInt(answered), p99]);
}

/** Fills the summary of every trace that lacks it (none once filled). */
export async function fillMissingGroupSummaries(db: Queries): Promise<void> {
  const rows = await db.all<{ trace_id: number }>('SELECT trace_id FROM traces WHERE groups IS NULL ORDER BY trace_id');
  for (const r of rows) await fillTraceGroupSummary(db, r.trace_id);
}
