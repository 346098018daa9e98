// Derives fault_groups for one trace from its events, exactly as DESIGN §4a defines them, in
// one SQL statement. Called by the ingest inside its transaction.
// The trick: per group key, completions (+1) and responses (−1) form a queue; a response is
// an orphan exactly when it drives the running sum s to a new minimum below 0 (Lindley's
// recursion in closed form), and the m-th matched response answers the m-th completed group
// (FIFO: the oldest open completed group). All window functions, no row loop.
// One sort does most of the work: every request and response of a key walked in (ts, line)
// order gives each request its group (completions before it) and each response its running
// sum; only responses of keys with an orphan are sorted again, for the running minimum. Lines
// are unique within a trace, so (ts, line) is a total order. Keys are made NOT NULL (-1, '')
// so every join is a plain equi-join (IS NOT DISTINCT FROM fell back to a nested loop join and
// took minutes on 1 M events), and the whole key is packed into one BIGINT before sorting:
// (iommu, device) as a small integer dk, then PASID + 1 (21 bits) and PRG index + 1 (10 bits).
// The windows over four-part keys with two strings cost about twice as much as over three
// integers, and one integer cost 10-20 % less CPU again. Every decoder keeps PASID < 2^20 and
// PRG index < 2^9 (trace/schema.ts); a value outside them fails the statement, never merges keys.

import type { Db } from '../db/instance.ts';

const KEY = 'k';

export const DERIVE_FAULT_GROUPS_SQL = `
INSERT INTO fault_groups
WITH ev AS (
  SELECT line, ts_ns, kind = 'page_response' AS resp, coalesce(iommu, '') AS iommu, coalesce(device, '') AS device,
    coalesce(pasid, -1) AS pasid, coalesce(prgi, -1) AS prgi, coalesce(last, false) AS last, code,
    (kind = 'page_request' AND coalesce(last, false) AND perm = '') AS stop_marker
  FROM events
  WHERE trace_id = $1 AND kind IN ('page_request', 'page_response')
),
dev AS (
  SELECT iommu, device, CAST(row_number() OVER () AS INTEGER) AS dk FROM (SELECT DISTINCT iommu, device FROM ev)
),
keyed AS (
  SELECT CASE WHEN ev.pasid BETWEEN -1 AND 1048575 AND ev.prgi BETWEEN -1 AND 511
      THEN CAST(dev.dk AS BIGINT) * 2147483648 + (ev.pasid + 1) * 1024 + (ev.prgi + 1)
      ELSE error('pairing: pasid or prgi out of range at line ' || ev.line) END AS k,
    ev.* EXCLUDE (iommu, device, pasid, prgi) FROM ev JOIN dev USING (iommu, device)
),
walk AS (
  -- One running sum counts both: responses in the high 32 bits, completions in the low ones.
  -- (ts_ns, line) is unique within a key, so the default RANGE frame is the rows so far; it
  -- ran in 0.6 of the time of two ROWS-framed sums.
  SELECT * EXCLUDE (cr), CAST(cr >> 32 AS BIGINT) AS r, CAST(cr & 4294967295 AS BIGINT) AS c FROM (
    SELECT *, sum(CASE WHEN resp THEN 4294967296 WHEN last THEN 1 ELSE 0 END)
      OVER (PARTITION BY ${KEY} ORDER BY ts_ns, line) AS cr
    FROM keyed WHERE NOT stop_marker
  )
),
grp AS (
  SELECT ${KEY}, c - CASE WHEN last THEN 1 ELSE 0 END AS g, count(*) AS pages, min(ts_ns) AS first_ts, min(line) AS first_line,
    max(CASE WHEN last THEN ts_ns END) AS last_ts, max(CASE WHEN last THEN line END) AS last_line,
    bool_or(last) AS complete
  FROM walk WHERE NOT resp GROUP BY ${KEY}, g
),
resp AS (
  SELECT ${KEY}, ts_ns, line, code, r, c - r AS s FROM walk WHERE resp
),
short AS (
  -- Keys whose completions never fall behind their responses have no orphan: floor 0
  -- throughout, with no second sort. Only the others (a trace that starts mid-flight) need
  -- the running minimum; on the bench trace this cut pairing's CPU by a quarter.
  SELECT ${KEY} FROM resp GROUP BY ${KEY} HAVING min(s) < 0
),
floored AS (
  -- s = completions − responses so far; floor = min(0, lowest s of the key's earlier responses).
  SELECT resp.*, 0 AS floor FROM resp ANTI JOIN short USING (${KEY})
  UNION ALL
  SELECT resp.*, least(0, coalesce(min(s) OVER (PARTITION BY ${KEY} ORDER BY ts_ns, line
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)) AS floor
  FROM resp SEMI JOIN short USING (${KEY})
),
matched AS (
  -- Each orphan so far lowered the floor by one, so r + floor responses so far were matched.
  SELECT ${KEY}, ts_ns, line, code, r + floor - 1 AS m FROM floored WHERE s >= floor
),
rows AS (
  SELECT grp.k,
    CASE WHEN NOT grp.complete THEN 'incomplete' WHEN r.line IS NULL THEN 'unanswered' ELSE 'answered' END AS status,
    grp.pages, grp.first_ts, grp.last_ts, r.ts_ns AS response_ts, r.code,
    grp.first_line, grp.last_line, r.line AS response_line
  FROM grp LEFT JOIN matched r
    ON r.k = grp.k AND r.m = grp.g
  UNION ALL
  SELECT ${KEY}, 'orphan_response', 0, NULL, NULL, ts_ns, code, NULL, NULL, line
  FROM floored WHERE s < floor
  UNION ALL
  SELECT ${KEY}, 'stop_marker', 1, ts_ns, ts_ns, NULL, NULL, line, line, NULL
  FROM keyed WHERE stop_marker
)
SELECT $1 AS trace_id,
  row_number() OVER (ORDER BY coalesce(last_ts, first_ts, response_ts), coalesce(last_line, first_line, response_line)) AS group_no,
  dev.iommu, dev.device, nullif(CAST((k >> 10) & 2097151 AS INTEGER) - 1, -1), nullif(CAST(k & 1023 AS INTEGER) - 1, -1), status, pages,
  first_ts, last_ts, response_ts, code,
  CASE WHEN status = 'answered' THEN response_ts - last_ts END AS latency_ns,
  CASE WHEN status = 'answered' THEN response_ts - first_ts END AS span_ns,
  first_line, last_line, response_line
FROM rows JOIN dev ON dev.dk = rows.k >> 31`;

export async function deriveFaultGroups(db: Db, traceId: number, onProgress?: (fraction: number) => void): Promise<void> {
  await db.run(DERIVE_FAULT_GROUPS_SQL, [traceId], onProgress);
}
