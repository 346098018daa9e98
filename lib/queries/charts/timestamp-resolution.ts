// The resolution the trace's timestamps were recorded at, as far as its answered groups show:
// ftrace text and `trace-cmd report` print microseconds by default, so every latency is a whole
// number of µs and the log buckets below ~10 µs are coarse steps, not a distribution. The
// latency page says so under the histogram. Read from the groups' own request and response
// times (the ones latency is computed from), not assumed from the format.

import type { Db } from '../../db/instance.ts';

/** 1 000 000 (ms), 1 000 (µs) or 1 (ns); null when the trace has no answered group. */
export async function timestampResolutionNs(db: Db, traceId: number): Promise<number | null> {
  const rows = await db.all<{ n: bigint; us: boolean | null; ms: boolean | null }>(
    `SELECT count(*) AS n,
       bool_and(last_ts_ns % 1000 = 0 AND response_ts_ns % 1000 = 0) AS us,
       bool_and(last_ts_ns % 1000000 = 0 AND response_ts_ns % 1000000 = 0) AS ms
     FROM fault_groups WHERE trace_id = $1 AND status = 'answered'`,
    [traceId],
  );
  const r = rows[0];
  if (!r || Number(r.n) === 0) return null;
  return r.ms ? 1_000_000 : r.us ? 1_000 : 1;
}
