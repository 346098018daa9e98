// Small builders shared by the replay tests.

import { presetFor } from '../../lib/replay/presets.ts';
import type { ReplayParams } from '../../lib/replay/params.ts';
import { replayInputFromRequests, type ReplayInput, type RequestRow } from '../../lib/replay/types.ts';

/** Round numbers that make hand derivations easy: every cost is visible in the timeline. */
export function handParams(over: Partial<ReplayParams> = {}): ReplayParams {
  return {
    ...presetFor('v6.9').params,
    prqDepth: 2048,
    irqLatencyNs: 1000,
    drainPerDescNs: 100,
    headWriteNs: 50,
    priCredits: 2048,
    atsRetryNs: 10_000,
    maxRetries: 1,
    workers: 1,
    wqWakeupNs: 500,
    wqWakeupP99Ns: 500,
    serviceDist: 'fixed',
    serviceP50Ns: 2000,
    serviceP99Ns: 2000,
    qiLockNs: 100,
    qiHwNs: 100,
    qiWaitNs: 100,
    qiIotlbNs: 400,
    qiDevTlbNs: 3000,
    lockNs: 0,
    xarrayVisitNs: 10,
    listVisitNs: 5,
    rbtreeVisitNs: 7,
    hashVisitNs: 20,
    ridLookup: 'rbtree',
    probedDevicesPerIommu: 1,
    structure: 'xarray',
    workerLookup: 'none',
    responseSvaLookup: 0,
    iopfLock: 0,
    reportStopMarkers: 0,
    nestedFallback: 0,
    iommufdDelivery: 0,
    attachmentWalk: 0,
    ...over,
  };
}

export function req(tsNs: number, prgi: number, last: boolean, over: Partial<RequestRow> = {}): RequestRow {
  return { tsNs: BigInt(tsNs), iommu: 'dmar0', device: '0000:00:0a.0', rid: 0x50, pasid: 2, prgi, last, perm: last ? 'rw' : 'r', ...over };
}

export function input(rows: RequestRow[]): ReplayInput {
  return replayInputFromRequests(rows);
}
