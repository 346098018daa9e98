// Builds the replay engine's input from a stored trace: its page requests as columns (times
// relative to the first request, IOMMU and device names as dictionary indices, computed in
// SQL so no row objects are made per request), plus the recorded answered groups for
// calibration and service-time estimation.

import { NotFoundError } from '../core/errors.ts';
import type { RecordedGroupTimes } from '../replay/service-time.ts';
import { permBits, type ReplayInput } from '../replay/types.ts';
import type { Db } from './instance.ts';

export interface TraceReplayData {
  input: ReplayInput;
  /** Answered groups' recorded latency_ns, for the calibration report. */
  recordedLatenciesNs: Float64Array;
  /** Answered groups' times, for estimateServiceTimes. */
  recordedGroups: RecordedGroupTimes[];
}

export async function loadReplayData(db: Db, traceId: number): Promise<TraceReplayData> {
  const [origin] = await db.all<{ t0: bigint | null; n: bigint }>(
    "SELECT min(ts_ns) AS t0, count(*) AS n FROM events WHERE trace_id = $1 AND kind = 'page_request'",
    [traceId],
  );
  const count = Number(origin?.n ?? 0);
  if (!origin || origin.t0 === null || count === 0) throw new NotFoundError(`trace ${traceId} has no page requests to replay`);
  const t0 = origin.t0;

  // Names become dictionary indices in sorted order, so the same trace always gives the
  // same input. Formats without a RID (vendor dev_fault, sim CSV without rid) get the
  // device's index + 1 as a stand-in, so RID lookups still key one entry per device.
  const rows = await db.all<{ t: number; i: number; d: number; rid: number; pasid: number; prgi: number; last: boolean; perm: string | null; iname: string; dname: string }>(
    `WITH req AS (
       SELECT ts_ns, line, coalesce(iommu, '') AS iname, coalesce(device, '') AS dname, rid, pasid, prgi, last, perm
       FROM events WHERE trace_id = $1 AND kind = 'page_request'),
     di AS (SELECT iname, CAST(row_number() OVER (ORDER BY iname) - 1 AS INTEGER) AS i FROM (SELECT DISTINCT iname FROM req)),
     dd AS (SELECT dname, CAST(row_number() OVER (ORDER BY dname) - 1 AS INTEGER) AS d FROM (SELECT DISTINCT dname FROM req))
     SELECT CAST(ts_ns - $2 AS DOUBLE) AS t, i, d, coalesce(rid, d + 1) AS rid,
       coalesce(pasid, 0) AS pasid, coalesce(prgi, 0) AS prgi, coalesce(last, false) AS last, perm, iname, dname
     FROM req JOIN di USING (iname) JOIN dd USING (dname)
     ORDER BY ts_ns, line`,
    [traceId, t0],
  );
  const iommus: string[] = [];
  const devices: string[] = [];
  for (const r of rows) {
    iommus[r.i] = r.iname;
    devices[r.d] = r.dname;
  }
  const input: ReplayInput = {
    count,
    tsNs: new Float64Array(count),
    originNs: t0,
    iommu: new Int32Array(count),
    iommus,
    rid: new Int32Array(count),
    pasid: new Int32Array(count),
    prgi: new Int32Array(count),
    last: new Uint8Array(count),
    device: new Int32Array(count),
    devices,
  };
  const perm = rows.every((r) => r.perm !== null) ? new Uint8Array(count) : undefined;
  rows.forEach((r, k) => {
    input.tsNs[k] = r.t;
    input.iommu[k] = r.i;
    input.device[k] = r.d;
    input.rid[k] = r.rid;
    input.pasid[k] = r.pasid;
    input.prgi[k] = r.prgi;
    input.last[k] = r.last ? 1 : 0;
    if (perm) perm[k] = permBits(r.perm!);
  });
  if (perm) input.perm = perm;

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
