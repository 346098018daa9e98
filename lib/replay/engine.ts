// The replay engine: a deterministic discrete-event simulation of page requests through one
// kernel design (per-IOMMU PRQ, drain thread, lookups, workers, QI response). Called by the
// CLI `replay` verb, the replay page, the sweep and the simulator. A pure function of
// (input, model, params, seed); arrivals come straight from the sorted input and drain
// threads run ahead in place while nothing else is due, so the event heap stays tiny.

import { ReplayConfigError } from '../core/errors.ts';
import { EventQueue } from './event-queue.ts';
import { modelByName } from './models/index.ts';
import { ModelContext } from './models/context.ts';
import { STAGE_PARTIAL, STAGES, VisitLedger, type ReplayView, type SharedPasids } from './models/types.ts';
import { validateParams, type ReplayParams } from './params.ts';
import { answeredStats, calibrate } from './percentiles.ts';
import { prepareInput, STOP_MARKER, type PreparedInput } from './prepare.ts';
import { LevelSeries } from './queue-depth.ts';
import { Rng } from './rng.ts';
import { scratchF64, scratchI32, scratchU8 } from './scratch.ts';
import { makeServiceSampler } from './service-time.ts';
import type { ModelName, ReplayInput, ReplayResult, ReplaySummary } from './types.ts';

export interface ReplayExtras {
  /** Service samples for serviceDist=empirical (see estimateServiceTimes). */
  serviceSamplesNs?: Float64Array;
  /** The trace's own latencies (response − last-page request), for the calibration report. */
  recordedLatenciesNs?: ArrayLike<number>;
  /** Buckets of the queue-depth series (default 1000). */
  queueDepthBuckets?: number;
  /** Also return per-request report times and groups (requestReportNs, requestGroup), as
   *  the simulator needs; off by default since they cost two arrays per request. */
  requestDetail?: boolean;
}

/** How the sweep narrows a prepared input: remapped PASIDs, a prefix, shared live PASIDs. */
export interface ViewOptions {
  pasid?: Int32Array;
  maxGroups?: number;
  shared?: SharedPasids;
}

const EV_DRAIN_START = 0;
const EV_DESC_DONE = 1;
const EV_BATCH_END = 2;
/** A request reaching the PRQ: read from the input, or pushed as a device's retry. */
const EV_ARRIVAL = 3;
const EV_SERVICE_DONE = 4;

/** Replays input through a model. Throws ReplayConfigError for bad params, model or seed. */
export function runReplay(input: ReplayInput, modelName: ModelName, params: ReplayParams, seed: number, extras: ReplayExtras = {}): ReplayResult {
  validateParams(params);
  modelByName(modelName);
  checkSeed(seed);
  return replayPrepared(prepareInput(input), modelName, params, seed, extras);
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ReplayConfigError('seed', `must be a non-negative safe integer, got ${seed}`);
}

export function makeView(prepared: PreparedInput, options: ViewOptions = {}): ReplayView {
  if (options.pasid && !options.shared) {
    // The models build their PASID tables from the prepared flows; remapped PASIDs must come
    // with the live set they were drawn from.
    throw new ReplayConfigError('pasid', 'remapped PASIDs need a shared live-PASID set');
  }
  const groupCount = Math.min(prepared.groupCount, options.maxGroups ?? Infinity);
  // Groups are numbered in the order of their last-page requests, so the first k groups end
  // inside the prefix that stops at group k − 1's last request.
  const requestCount =
    groupCount === prepared.groupCount ? prepared.count : groupCount === 0 ? 0 : prepared.groupLastReq[groupCount - 1]! + 1;
  return { prepared, pasid: options.pasid ?? prepared.pasid, requestCount, groupCount, shared: options.shared ?? null };
}

export function replayPrepared(
  prepared: PreparedInput,
  modelName: ModelName,
  params: ReplayParams,
  seed: number,
  extras: ReplayExtras = {},
  viewOptions: ViewOptions = {},
): ReplayResult {
  validateParams(params);
  checkSeed(seed);
  const model = modelByName(modelName);
  const view = makeView(prepared, viewOptions);
  const p = prepared;
  const N = view.requestCount;
  const G = view.groupCount;
  const { tsNs, iommu, device, last, reqGroup, reqOpen, groupLastReq } = p;

  const rng = new Rng(seed);
  const sampleService = makeServiceSampler(params, rng, extras.serviceSamplesNs);
  const ledger = new VisitLedger(G);
  const rt = model.create(new ModelContext(view, params, ledger));

  const nI = p.iommus.length;
  const nD = p.devices.length;
  const { drainPerDescNs, headWriteNs, irqLatencyNs, retryTimeoutNs, maxRetries, wqWakeupNs, qiSubmitNs } = params;
  const listNs = params.listVisitNs;
  // A head == tail ring: one slot always stays empty.
  const capacity = params.prqDepth - 1;
  const ringSize = Math.min(params.prqDepth, N + 1);
  const ring = new Int32Array(nI * ringSize);
  const ringRead = new Int32Array(nI);
  const ringWrite = new Int32Array(nI);
  const ringCount = new Int32Array(nI);
  const batchSize = new Int32Array(nI);
  const batchLeft = new Int32Array(nI);
  const draining = new Uint8Array(nI);
  const overflow = new Uint8Array(nI);

  const W = params.workers;
  // Idle workers (a stack) and workers busy with a response whose end is known (a FIFO in
  // order of their free times). Responses of one IOMMU serialise on its QI, so free times
  // only grow and the FIFO's front is always the next worker to come free.
  const idle = new Int32Array(nI * W);
  const idleCount = new Int32Array(nI).fill(W);
  for (let i = 0; i < nI; i++) for (let w = 0; w < W; w++) idle[i * W + w] = W - 1 - w;
  const freeing = new Int32Array(nI * W);
  const freeingAt = new Float64Array(nI * W);
  const freeingHead = new Int32Array(nI);
  const freeingCount = new Int32Array(nI);
  const wqHead = new Int32Array(nI).fill(-1);
  const wqTail = new Int32Array(nI).fill(-1);
  const wqNext = scratchI32('engine.wqNext', G);
  const qiFreeAt = new Float64Array(nI);
  let lockFreeAt = 0;

  const partialLen = new Int32Array(nD);
  const devEpoch = new Int32Array(nD);
  // Devices of each IOMMU (those of IOMMU i at iommuDevs[iommuDevStart[i] …
  // iommuDevStart[i + 1]]), for the partial discard after an overflow.
  const iommuDevStart = new Int32Array(nI + 1);
  const iommuDevs = new Int32Array(p.flowCount);
  {
    const pairs = new Set<number>();
    for (let f = 0; f < p.flowCount; f++) pairs.add(p.flowIommu[f]! * nD + p.flowDevice[f]!);
    for (const key of pairs) iommuDevStart[Math.floor(key / nD) + 1]!++;
    for (let i = 0; i < nI; i++) iommuDevStart[i + 1]! += iommuDevStart[i]!;
    const fill = iommuDevStart.slice(0, nI);
    for (const key of pairs) iommuDevs[fill[Math.floor(key / nD)]!++] = key % nD;
  }
  const openPartial = scratchI32('engine.openPartial', p.openCount);
  const openEpoch = scratchI32('engine.openEpoch', p.openCount);

  // Report and response times start at zero; a group was reported, handled and answered
  // exactly when a worker took it (every reported group is, before the event queue runs
  // dry), so buildResult marks the others NaN by gWorker = −1 (cheaper than fill(NaN) and
  // two flag arrays).
  const gReport = new Float64Array(G);
  const gResponse = new Float64Array(G);
  const gWorker = new Int32Array(G).fill(-1);
  const gFaults = scratchI32('engine.faults', G);
  const gRetries = scratchI32('engine.retries', G);
  const detail = extras.requestDetail === true;
  const reqReport = scratchF64('engine.reqReport', detail ? N : 0);
  const reqReported = scratchU8('engine.reqReported', detail ? N : 0);

  let drops = 0;
  let retries = 0;
  let lost = 0;
  let discards = 0;
  let outstanding = 0;
  let reported = 0;
  const globalLock = rt.globalResponseLock;

  /** Largest PRQ occupancy of any IOMMU: an arrival can only raise it, a batch end recounts. */
  let prqMax = 0;
  const series = new LevelSeries(extras.queueDepthBuckets ?? 1000, N > 0 ? tsNs[N - 1]! : 1);
  const q = new EventQueue(64);
  /** Next input arrival not yet taken. */
  let next = 0;

  // One loop, no helper closures: each step (arrival, drain-thread step, service end) is
  // written out in place, since calls between closures sharing a context were most of the
  // replay's time. Drain-thread steps run in a nested loop that continues in place while no
  // other event or arrival is due before the next step — the order the heap would give (at
  // equal times heap events go first, arrivals after) without pushing and popping.
  let now = 0;
  for (;;) {
    const ta = next < N ? tsNs[next]! : Infinity;
    const th = q.peekTime();
    if (th === Infinity && ta === Infinity) break;
    let kind: number;
    let i: number;
    let r: number;
    let t: number;
    // At equal times, scheduled events go before new arrivals: they were caused earlier.
    if (th <= ta) {
      q.pop();
      t = q.popTime;
      kind = q.popKind;
      i = q.popA;
      r = q.popB;
    } else {
      t = ta;
      kind = EV_ARRIVAL;
      i = 0;
      r = next++;
    }
    now = t;

    if (kind === EV_SERVICE_DONE) {
      const g = r;
      rt.respond(g, groupLastReq[g]!);
      let ready = t + rt.preLockNs;
      // Reservations are made in event order; arrivals at a lock differ from event order only
      // by the pre-lock cost, so the error is a few lookups at most.
      if (globalLock) ready = Math.max(ready, lockFreeAt) + rt.lockedNs;
      const submit = Math.max(ready, qiFreeAt[i]!);
      const done = submit + qiSubmitNs;
      qiFreeAt[i] = done;
      if (globalLock) lockFreeAt = done;
      gResponse[g] = submit;
      outstanding--;
      series.setB(t, outstanding);
      const w = gWorker[g]!;
      const queued = wqHead[i]!;
      if (queued !== -1) {
        // The worker takes the oldest queued group as soon as its response is submitted.
        wqHead[i] = wqNext[queued]!;
        if (wqHead[i] === -1) wqTail[i] = -1;
        gWorker[queued] = w;
        const cost = rt.groupStartCost(queued, groupLastReq[queued]!, gFaults[queued]!);
        q.push(done + cost + sampleService(), EV_SERVICE_DONE, i, queued);
      } else {
        const tail = freeingHead[i]! + freeingCount[i]!;
        const k = i * W + (tail >= W ? tail - W : tail);
        freeing[k] = w;
        freeingAt[k] = done;
        freeingCount[i]!++;
      }
      continue;
    }

    if (kind === EV_ARRIVAL) {
      // An arrival, first or retried: request r at time t.
      i = iommu[r]!;
      if (ringCount[i]! >= capacity) {
        // Overflow (reference §2.5): the request is never written, PRO is set. A lost
        // non-last request only costs its page; a lost last-page request leaves its group
        // unanswered, and the device sends it again after retryTimeoutNs (the VT-d auto-
        // response on overflow was not checked against the spec, so none is modelled).
        drops++;
        overflow[i] = 1;
        const g = reqGroup[r]!;
        if (last[r] === 1 && g >= 0 && g < G) {
          if (gRetries[g]! < maxRetries) {
            gRetries[g]!++;
            retries++;
            q.push(t + retryTimeoutNs, EV_ARRIVAL, 0, r);
          } else {
            lost++;
          }
        }
        continue;
      }
      ring[i * ringSize + ringWrite[i]!] = r;
      ringWrite[i] = ringWrite[i]! + 1 === ringSize ? 0 : ringWrite[i]! + 1;
      ringCount[i]!++;
      if (ringCount[i]! > prqMax) prqMax = ringCount[i]!;
      series.setA(t, prqMax);
      if (draining[i] !== 0) continue;
      draining[i] = 1;
      // The thread wakes after the IRQ latency; if nothing else is due by then, run it in
      // place (as the drain loop does for its own steps) instead of a heap round trip.
      const start = t + irqLatencyNs;
      if (!(q.peekTime() > start && (next >= N || tsNs[next]! >= start))) {
        q.push(start, EV_DRAIN_START, i, 0);
        continue;
      }
      kind = EV_DRAIN_START;
      t = start;
    }

    // IOMMU i's drain thread, from step `kind` at time t (r: the descriptor just handled).
    for (;;) {
      let toDesc: boolean;
      if (kind === EV_DESC_DONE) {
        // Report descriptor r.
        if (detail) {
          reqReport[r] = t;
          reqReported[r] = 1;
        }
        const g0 = reqGroup[r]!;
        if (g0 !== STOP_MARKER) {
          const d = device[r]!;
          const o = reqOpen[r]!;
          if (last[r] === 0) {
            if (openEpoch[o] !== devEpoch[d]) {
              openEpoch[o] = devEpoch[d]!;
              openPartial[o] = 0;
            }
            openPartial[o]!++;
            partialLen[d]!++;
          } else if (g0 < G) {
            const partials = openEpoch[o] === devEpoch[d] ? openPartial[o]! : 0;
            partialLen[d]! -= partials;
            openPartial[o] = 0;
            gFaults[g0] = partials + 1;
            gReport[g0] = t;
            reported++;
            rt.reported(g0, r);
            outstanding++;
            series.setB(t, outstanding);
            // Hand the group to a worker of IOMMU i, or queue it. Workers whose response
            // ended by now have gone idle.
            const base = i * W;
            while (freeingCount[i]! > 0 && freeingAt[base + freeingHead[i]!]! <= t) {
              idle[base + idleCount[i]!++] = freeing[base + freeingHead[i]!]!;
              freeingHead[i] = freeingHead[i]! + 1 === W ? 0 : freeingHead[i]! + 1;
              freeingCount[i]!--;
            }
            let w = -1;
            let at = 0;
            if (idleCount[i]! > 0) {
              w = idle[base + --idleCount[i]!]!;
              at = t + wqWakeupNs;
            } else if (freeingCount[i]! > 0) {
              // Busy kworkers come back for the next work item without a wake-up.
              const k = base + freeingHead[i]!;
              freeingHead[i] = freeingHead[i]! + 1 === W ? 0 : freeingHead[i]! + 1;
              freeingCount[i]!--;
              w = freeing[k]!;
              at = freeingAt[k]!;
            }
            if (w >= 0) {
              gWorker[g0] = w;
              const cost = rt.groupStartCost(g0, groupLastReq[g0]!, gFaults[g0]!);
              q.push(at + cost + sampleService(), EV_SERVICE_DONE, i, g0);
            } else {
              wqNext[g0] = -1;
              if (wqTail[i] === -1) wqHead[i] = g0;
              else wqNext[wqTail[i]!] = g0;
              wqTail[i] = g0;
            }
          }
        }
        toDesc = --batchLeft[i]! > 0;
      } else {
        if (kind === EV_BATCH_END) {
          ringCount[i]! -= batchSize[i]!;
          prqMax = 0;
          for (let j = 0; j < nI; j++) if (ringCount[j]! > prqMax) prqMax = ringCount[j]!;
          series.setA(t, prqMax);
          if (overflow[i] === 1 && ringCount[i] === 0) {
            // Only with the queue empty does the driver discard partial requests (groups may
            // have lost their last page) and clear PRO (iopf_queue_discard_partial).
            for (let k = iommuDevStart[i]!; k < iommuDevStart[i + 1]!; k++) {
              const d = iommuDevs[k]!;
              partialLen[d] = 0;
              devEpoch[d]!++;
            }
            overflow[i] = 0;
            discards++;
          }
          if (ringCount[i] === 0) {
            draining[i] = 0;
            break;
          }
        }
        // Batch start: the thread reads the tail once and handles everything up to it
        // before moving the head; new arrivals raise the IRQ again and wait for the next batch.
        batchSize[i] = ringCount[i]!;
        batchLeft[i] = ringCount[i]!;
        toDesc = true;
      }
      let tn: number;
      let kn: number;
      let rn = 0;
      if (toDesc) {
        // Drain-thread cost of the next descriptor.
        rn = ring[i * ringSize + ringRead[i]!]!;
        ringRead[i] = ringRead[i]! + 1 === ringSize ? 0 : ringRead[i]! + 1;
        let cost = drainPerDescNs;
        const g0 = reqGroup[rn]!;
        // Stop Markers are dropped before any lookup (v6.9 prq_event_thread: "Drop Stop Marker").
        if (g0 !== STOP_MARKER) {
          const g = g0 < G ? g0 : -1;
          const isLast = last[rn] === 1;
          cost += rt.descriptorCost(rn, g, isLast);
          if (isLast) {
            // iommu_queue_iopf / report: the whole partial list of the device is walked for the index.
            cost += ledger.add(STAGE_PARTIAL, g, partialLen[device[rn]!]!, listNs);
          }
        }
        tn = t + cost;
        kn = EV_DESC_DONE;
      } else {
        tn = t + headWriteNs;
        kn = EV_BATCH_END;
      }
      if (q.peekTime() <= tn || (next < N && tsNs[next]! < tn)) {
        q.push(tn, kn, i, rn);
        break;
      }
      kind = kn;
      r = rn;
      t = tn;
    }
  }

  return buildResult({
    view, modelName, params, seed, extras, ledger, gReport, gResponse, gWorker,
    reqReport: detail ? reqReport : null,
    reqReported,
    counters: { drops, retries, lost, discards, reported },
    depth: series.finish(now),
  });
}

interface Collected {
  view: ReplayView;
  modelName: ModelName;
  params: ReplayParams;
  seed: number;
  extras: ReplayExtras;
  ledger: VisitLedger;
  gReport: Float64Array;
  gResponse: Float64Array;
  gWorker: Int32Array;
  reqReport: Float64Array | null;
  reqReported: Uint8Array;
  counters: { drops: number; retries: number; lost: number; discards: number; reported: number };
  depth: { bucketNs: number; a: number[]; b: number[] };
}

function buildResult(c: Collected): ReplayResult {
  const { view, ledger, gReport, gResponse, gWorker } = c;
  const p = view.prepared;
  const G = view.groupCount;
  const N = view.requestCount;
  const lastRequestIndex = new Int32Array(G);
  const arrivalNs = new Float64Array(G);
  const latencyNs = new Float64Array(G);
  const deviceLatencyNs = new Float64Array(G);
  const gPasid = new Int32Array(G);
  let answered = 0;
  const { groupLastReq, order, tsNs } = p;
  const pasid = view.pasid;
  for (let g = 0; g < G; g++) {
    const r = groupLastReq[g]!;
    lastRequestIndex[g] = order ? order[r]! : r;
    arrivalNs[g] = tsNs[r]!;
    gPasid[g] = pasid[r]!;
    if (gWorker[g] === -1) {
      gReport[g] = NaN;
      gResponse[g] = NaN;
      latencyNs[g] = NaN;
      deviceLatencyNs[g] = NaN;
    } else {
      latencyNs[g] = gResponse[g]! - gReport[g]!;
      deviceLatencyNs[g] = gResponse[g]! - arrivalNs[g]!;
      answered++;
    }
  }
  let requestReportNs: Float64Array | null = null;
  let requestGroup: Int32Array | null = null;
  if (c.reqReport) {
    requestReportNs = new Float64Array(p.count);
    requestGroup = new Int32Array(p.count);
    for (let r = 0; r < p.count; r++) {
      requestReportNs[r] = NaN;
      requestGroup[r] = -1;
    }
    for (let r = 0; r < N; r++) {
      const to = p.order ? p.order[r]! : r;
      if (c.reqReported[r] === 1) requestReportNs[to] = c.reqReport[r]!;
      const g = p.reqGroup[r]!;
      if (g >= 0 && g < G) requestGroup[to] = g;
    }
  }
  let unfinished = 0;
  let stopMarkers = 0;
  for (let r = 0; r < N; r++) {
    const g = p.reqGroup[r]!;
    if (g === STOP_MARKER) stopMarkers++;
    else if (g < 0 || g >= G) unfinished++;
  }
  const perGroup = Math.max(1, c.counters.reported);
  const lookupStages: ReplaySummary['lookup_stages'] = {};
  STAGES.forEach((name, s) => {
    lookupStages[name] = { visits_mean: ledger.stageVisits[s]! / perGroup, ns_mean: ledger.stageNs[s]! / perGroup };
  });
  const stats = answeredStats(latencyNs, deviceLatencyNs, ledger.groupVisits, ledger.groupNs, gWorker);
  const summary: ReplaySummary = {
    model: c.modelName,
    seed: c.seed,
    params: { ...c.params },
    groups: G,
    answered,
    latency_ns: stats.latency,
    device_latency_ns: stats.deviceLatency,
    lookup: stats.lookup,
    lookup_stages: lookupStages,
    drops: c.counters.drops,
    retries: c.counters.retries,
    lost_groups: c.counters.lost,
    partial_discards: c.counters.discards,
    unfinished_requests: unfinished,
    stop_markers: stopMarkers,
  };
  if (c.extras.recordedLatenciesNs) summary.calibration = calibrate(c.extras.recordedLatenciesNs, latencyNs);
  return {
    summary,
    groups: {
      count: G,
      lastRequestIndex,
      pasid: gPasid,
      arrivalNs,
      reportNs: gReport,
      responseNs: gResponse,
      latencyNs,
      deviceLatencyNs,
      lookupVisits: ledger.groupVisits,
      lookupNs: ledger.groupNs,
      worker: c.gWorker,
    },
    requestReportNs,
    requestGroup,
    queueDepth: { bucketNs: c.depth.bucketNs, prqMax: c.depth.a, outstandingMax: c.depth.b },
  };
}
