// Builds the replay engine's input from a stored trace: its page requests in arrival order
// (ties broken by line), through the engine's own replayInputFromRequests, plus the recorded
// answered groups for calibration and service-time estimation, and the recorded invalidations
// (qi_submit context events) that load the same invalidation queue as the responses.

import { NotFoundError } from '../core/errors.ts';
import type { RecordedGroupTimes } from '../replay/service-time.ts';
import { invalidationKind, replayInputFromRequests, type RecordedInvalidations, type ReplayInput } from '../replay/types.ts';
import type { Db } from '../db/instance.ts';

export interface TraceReplayData {
  input: ReplayInput;
  /** Answered groups' recorded latency_ns, for the calibration report. */
  recordedLatenciesNs: Float64Array;
  /** Answered groups' times, for estimateServiceTimes. */
  recordedGroups: RecordedGroupTimes[];
}

export async function loadReplayData(db: Db, traceId: number): Promise<TraceReplayData> {
  // Formats without a RID (vendor dev_fault, sim CSV without rid) get the device's rank as a
  // stand-in, so RID lookups still key one entry per device.
  const rows = await db.all<{ tsNs: bigint; iommu: string; device: string; rid: number; pasid: number; prgi: number; last: boolean; perm: string | null }>(
    `SELECT ts_ns AS "tsNs", coalesce(iommu, '') AS iommu, coalesce(device, '') AS device,
       coalesce(rid, CAST(dense_rank() OVER (ORDER BY device) AS INTEGER)) AS rid,
       coalesce(pasid, 0) AS pasid, coalesce(prgi, 0) AS prgi, coalesce(last, false) AS last, perm
     FROM events WHERE trace_id = $1 AND kind = 'page_request'
     ORDER BY ts_ns, line`,
    [traceId],
  );
  if (rows.length === 0) throw new NotFoundError(`trace ${traceId} has no page requests to replay`);
  const input = replayInputFromRequests(rows);
  input.invalidations = await loadInvalidations(db, traceId, input);

  const groups = await db.all<{ iommu: string; first_ts_ns: bigint; last_ts_ns: bigint; response_ts_ns: bigint; latency_ns: bigint }>(
    "SELECT iommu, first_ts_ns, last_ts_ns, response_ts_ns, latency_ns FROM fault_groups WHERE trace_id = $1 AND status = 'answered' ORDER BY group_no",
    [traceId],
  );
  return {
    input,
    recordedLatenciesNs: Float64Array.from(groups, (g) => Number(g.latency_ns)),
    recordedGroups: groups.map((g) => ({
      iommu: g.iommu ?? '',
      firstRequestNs: g.first_ts_ns,
      lastRequestNs: g.last_ts_ns,
      responseNs: g.response_ts_ns,
    })),
  };
}

/** The trace's qi_submit invalidations, relative to the input's origin, by IOMMU index. */
async function loadInvalidations(db: Db, traceId: number, input: ReplayInput): Promise<RecordedInvalidations> {
  const rows = await db.all<{ ts_ns: bigint; iommu: string; detail: string | null }>(
    `SELECT ts_ns, coalesce(iommu, '') AS iommu, detail FROM events
     WHERE trace_id = $1 AND kind = 'context' AND event = 'qi_submit' AND ts_ns IS NOT NULL
     ORDER BY ts_ns, line`,
    [traceId],
  );
  const origin = input.originNs ?? 0n;
  const index = new Map(input.iommus.map((n, i) => [n, i]));
  const inv: RecordedInvalidations = {
    count: rows.length,
    tsNs: new Float64Array(rows.length),
    iommu: new Int32Array(rows.length),
    kind: new Uint8Array(rows.length),
  };
  rows.forEach((r, k) => {
    inv.tsNs[k] = Number(r.ts_ns - origin);
    inv.iommu[k] = index.get(r.iommu) ?? -1;
    inv.kind[k] = invalidationKind(r.detail ?? '');
  });
  return inv;
}
