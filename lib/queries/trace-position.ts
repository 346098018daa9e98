// Where a trace itself sits on each scaling axis, measured from its own recording: the PASIDs
// it uses, the groups each of its devices has in flight, and the devices bound to each PASID.
// The scaling page draws these as reference lines and `pritrace sweep --axis` prints them.

import type { Db } from '../db/instance.ts';
import { COMPLETED_GROUP_SQL } from '../trace/schema.ts';

export interface TracePosition {
  /** Distinct PASIDs among the page requests. */
  pasids: number;
  /**
   * Mean groups in flight per device, time-averaged over the recording: Σ (response − first
   * request) over answered groups / (earliest first request → latest response) / devices with a
   * completed group. The replay measures the same, with the response taken where it reaches
   * the device (after the QI wait), which the trace does not record. Null without an answered group.
   */
  outstanding_per_device: number | null;
  /** Devices (IOMMU and device) with a group on each PASID, mean over the PASIDs. */
  devices_per_pasid: number | null;
}

export async function tracePosition(db: Db, traceId: number): Promise<TracePosition> {
  const [row] = await db.all<{ pasids: bigint; outstanding: number | null; per_pasid: number | null }>(
    `WITH pasids AS (
       SELECT count(DISTINCT pasid) AS n FROM events WHERE trace_id = $1 AND kind = 'page_request'
     ), flight AS (
       SELECT sum(response_ts_ns - first_ts_ns)::DOUBLE
                / nullif(max(response_ts_ns) - min(first_ts_ns), 0)
                / (SELECT count(DISTINCT (iommu, device)) FROM fault_groups
                   WHERE trace_id = $1 AND ${COMPLETED_GROUP_SQL}) AS v
       FROM fault_groups WHERE trace_id = $1 AND status = 'answered'
     ), sharing AS (
       SELECT avg(n) AS v FROM (
         SELECT count(DISTINCT (iommu, device)) AS n FROM fault_groups
         WHERE trace_id = $1 AND status IN ('answered', 'unanswered', 'incomplete')
         GROUP BY pasid)
     )
     SELECT (SELECT n FROM pasids) AS pasids, (SELECT v FROM flight) AS outstanding, (SELECT v FROM sharing) AS per_pasid`,
    [traceId],
  );
  return { pasids: Number(row?.pasids ?? 0), outstanding_per_device: row?.outstanding ?? null, devices_per_pasid: row?.per_pasid ?? null };
}
