// Derives fault_groups for one trace from its events, exactly as DESIGN §4a defines them, in
// one SQL statement. Called by the ingest inside its transaction.
// The trick: per group key, completions (+1) and responses (−1) form a queue; a response is
// an orphan exactly when it drives the running sum to a new minimum below 0 (Lindley's
// recursion in closed form), and the m-th matched response answers the m-th completed group
// (FIFO: the oldest open completed group). All window functions, no row loop. Keys are made
// NOT NULL (-1) so every join is a plain equi-join: IS NOT DISTINCT FROM fell back to a
// nested loop join and took minutes on 1 M events.

import type { Db } from '../db/instance.ts';

const KEY = 'iommu, device, pasid, prgi';

export const DERIVE_FAULT_GROUPS_SQL = `
INSERT INTO fault_groups
WITH ev AS (
  SELECT line, ts_ns, kind, iommu, device, pasid, prgi, last, perm, code
  FROM events
  WHERE trace_id = $1 AND kind IN ('page_request', 'page_response')
),
keyed AS (
  SELECT ev.line, ev.ts_ns, ev.kind, coalesce(ev.iommu, '') AS iommu, coalesce(ev.device, '') AS device,
    coalesce(ev.pasid, -1) AS pasid, coalesce(ev.prgi, -1) AS prgi, coalesce(ev.last, false) AS last, ev.code,
    (ev.kind = 'page_request' AND coalesce(ev.last, false) AND ev.perm = '') AS stop_marker
  FROM ev
),
req AS (
  SELECT *,
    coalesce(sum(CASE WHEN last THEN 1 ELSE 0 END) OVER (
      PARTITION BY ${KEY} ORDER BY ts_ns, line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS g
  FROM keyed WHERE kind = 'page_request' AND NOT stop_marker
),
grp AS (
  SELECT ${KEY}, g, count(*) AS pages, min(ts_ns) AS first_ts, min(line) AS first_line,
    max(CASE WHEN last THEN ts_ns END) AS last_ts, max(CASE WHEN last THEN line END) AS last_line,
    bool_or(last) AS complete
  FROM req GROUP BY ${KEY}, g
),
queue AS (
  SELECT ${KEY}, last_ts AS ts_ns, last_line AS line, 1 AS d, g, NULL::SMALLINT AS code FROM grp WHERE complete
  UNION ALL
  SELECT ${KEY}, ts_ns, line, -1 AS d, NULL AS g, code FROM keyed WHERE kind = 'page_response'
),
running AS (
  SELECT *, sum(d) OVER w AS s
  FROM queue
  WINDOW w AS (PARTITION BY ${KEY} ORDER BY ts_ns, line, d DESC ROWS UNBOUNDED PRECEDING)
),
marked AS (
  SELECT *,
    d = -1 AND s < least(0, coalesce(min(s) OVER (PARTITION BY ${KEY} ORDER BY ts_ns, line, d DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)) AS orphan
  FROM running
),
matched AS (
  SELECT ${KEY}, ts_ns, line, code,
    row_number() OVER (PARTITION BY ${KEY} ORDER BY ts_ns, line) - 1 AS m
  FROM marked WHERE d = -1 AND NOT orphan
),
rows AS (
  SELECT grp.iommu, grp.device, grp.pasid, grp.prgi,
    CASE WHEN NOT grp.complete THEN 'incomplete' WHEN r.line IS NULL THEN 'unanswered' ELSE 'answered' END AS status,
    grp.pages, grp.first_ts, grp.last_ts, r.ts_ns AS response_ts, r.code,
    grp.first_line, grp.last_line, r.line AS response_line
  FROM grp LEFT JOIN matched r
    ON r.iommu = grp.iommu AND r.device = grp.device AND r.pasid = grp.pasid AND r.prgi = grp.prgi AND r.m = grp.g
  UNION ALL
  SELECT ${KEY}, 'orphan_response', 0, NULL, NULL, ts_ns, code, NULL, NULL, line
  FROM marked WHERE orphan
  UNION ALL
  SELECT ${KEY}, 'stop_marker', 1, ts_ns, ts_ns, NULL, NULL, line, line, NULL
  FROM keyed WHERE stop_marker
)
SELECT $1 AS trace_id,
  row_number() OVER (ORDER BY coalesce(last_ts, first_ts, response_ts), coalesce(last_line, first_line, response_line)) AS group_no,
  iommu, device, nullif(pasid, -1), nullif(prgi, -1), status, pages,
  first_ts, last_ts, response_ts, code,
  CASE WHEN status = 'answered' THEN response_ts - last_ts END AS latency_ns,
  CASE WHEN status = 'answered' THEN response_ts - first_ts END AS span_ns,
  first_line, last_line, response_line
FROM rows`;

export async function deriveFaultGroups(db: Db, traceId: number, onProgress?: (fraction: number) => void): Promise<void> {
  await db.run(DERIVE_FAULT_GROUPS_SQL, [traceId], onProgress);
}
