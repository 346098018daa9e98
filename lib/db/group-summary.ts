// The group summary stored on each trace (traces.groups, answered_groups, latency_p99_ns), so
// listings need not scan fault_groups: filled in the ingest's transaction after pairing, and
// when a database written before these columns existed is opened.

import { COMPLETED_GROUP_SQL } from '../trace/schema.ts';
import type { Db } from './instance.ts';

type Queries = Pick<Db, 'all' | 'run'>;

/**
 * Stores traceId's summary from its counts of completed and answered groups. p99 is the
 * nearest rank (the ⌈0.99·n⌉-th smallest answered latency, what quantile_disc gives), read as
 * the one at descending offset ⌊n / 100⌋ of a sort: quantile_disc keeps every value in a
 * vector outside DuckDB's buffer pool, which on a 25 M-line trace (8.3 M answered groups)
 * lifted the ingest's peak RSS by 100-170 MiB after pairing, where the sort stays in the pool
 * and spills.
 */
export async function storeGroupSummary(db: Queries, traceId: number, total: number, answered: number): Promise<void> {
  let p99: bigint | null = null;
  if (answered > 0) {
    const [r] = await db.all<{ latency_ns: bigint }>(
      `SELECT latency_ns FROM fault_groups WHERE trace_id = $1 AND status = 'answered' AND latency_ns IS NOT NULL
       ORDER BY latency_ns DESC LIMIT 1 OFFSET $2`,
      [traceId, Math.floor(answered / 100)],
    );
    p99 = r!.latency_ns;
  }
  await db.run('UPDATE traces SET groups = $2, answered_groups = $3, latency_p99_ns = $4 WHERE trace_id = $1', [traceId, BigInt(total), BigInt(answered), p99]);
}

/** Fills the summary of every trace that lacks it (none once filled), counting its groups. */
export async function fillMissingGroupSummaries(db: Queries): Promise<void> {
  const rows = await db.all<{ trace_id: number; total: bigint; answered: bigint }>(
    `SELECT t.trace_id, count(g.trace_id) FILTER (${COMPLETED_GROUP_SQL}) AS total, count(g.latency_ns) FILTER (g.status = 'answered') AS answered
     FROM traces t LEFT JOIN fault_groups g USING (trace_id) WHERE t.groups IS NULL GROUP BY t.trace_id ORDER BY t.trace_id`,
  );
  for (const r of rows) await storeGroupSummary(db, r.trace_id, Number(r.total), Number(r.answered));
}
