// The replay engine: a deterministic discrete-event simulation of page requests through one
// kernel design (per-IOMMU PRQ, drain thread, lookups, workers, QI response). Called by the
// CLI `replay` verb, the replay page, the sweep and the simulator. A pure function of
// (input, model, params, seed); arrivals come straight from the sorted input and drain
// threads run ahead in place while nothing else is due, so the event heap stays tiny.

import { ReplayConfigError } from '../core/errors.ts';
import { EventQueue } from './event-queue.ts';
import { modelByName } from './models/index.ts';
import { ModelContext } from './models/context.ts';
import { STAGE_PARTIAL, STAGES, VisitLedger, type HandlingModel, type ReplayView, type SharedPasids } from './models/types.ts';
import { validateParams, type ReplayParams } from './params.ts';
import { holdoutCalibration, type HoldoutCheck } from './holdout.ts';
import { answeredStats, calibrate, svmPrqBuckets } from './percentiles.ts';
import { prepareInput, STOP_MARKER, type PreparedInput } from './prepare.ts';
import { LevelSeries } from './queue-depth.ts';
import { Rng } from './rng.ts';
import { scratchF64, scratchI32, scratchU8 } from './scratch.ts';
import { ServiceSampler, WakeupSampler } from './service-time.ts';
import { INV_DEVTLB, LOCK_WAITS, STAGE_TIMES, type ModelName, type ReplayInput, type ReplayResult, type ReplaySummary } from './types.ts';

export interface ReplayExtras {
  /** Service samples for serviceDist=empirical (see estimateServiceTimes). */
  serviceSamplesNs?: Float64Array;
  /** The trace's own latencies (response − last-page request), for the calibration report. */
  recordedLatenciesNs?: ArrayLike<number>;
  /** Held-out calibration: the check part of a split trace (holdout.ts), compared on its own. */
  holdout?: HoldoutCheck;
  /** The recorded timestamps' resolution (1000 for µs ftrace text): calibration compares the
   *  replayed latencies as such a trace would record them, both ends truncated to it. */
  recordedResolutionNs?: number;
  /** Buckets of the queue-depth series (default 1000). */
  queueDepthBuckets?: number;
  /** Also return per-request report times and groups (requestReportNs, requestGroup), as
   *  the simulator needs; off by default since they cost two arrays per request. */
  requestDetail?: boolean;
  /** The caller keeps only the summary: the per-group arrays come from the scratch pool and
   *  are overwritten by the next replay on this thread. */
  summaryOnly?: boolean;
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
/** The device generating a request: read from the input, or pushed as a whole-group retry. */
const EV_ARRIVAL = 3;
const EV_SERVICE_DONE = 4;
/** A request that holds a PRI credit reaching the PRQ. */
const EV_SEND = 5;
/** A response reaching a device with waiting requests: a = device, b = group. */
const EV_CREDIT = 6;

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
  const requestCount = groupCount === prepared.groupCount ? prepared.count : groupCount === 0 ? 0 : prepared.groupLastReq[groupCount - 1]! + 1;
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
  const s = setupReplay(view, model, params, seed, extras);
  const end = simulate(s);
  const now = end[END_NOW]!;
  return buildResult({
    view,
    modelName,
    params,
    seed,
    extras,
    ledger: s.ledger,
    gReport: s.gReport,
    gResponse: s.gResponse,
    gDone: s.gDone,
    gLongest: s.gLongest,
    gWorker: s.gWorker,
    reqReport: s.detail ? s.reqReport : null,
    reqReported: s.reqReported,
    counters: {
      drops: end[END_DROPS]!,
      episodes: end[END_EPISODES]!,
      autoResponses: end[END_AUTO_RESPONSES]!,
      retries: end[END_RETRIES]!,
      lost: end[END_LOST]!,
      discards: end[END_DISCARDS]!,
      creditWaits: end[END_CREDIT_WAITS]!,
      reported: end[END_REPORTED]!,
    },
    stageSum: s.stageSum,
    lockSum: s.lockSum,
    depth: s.series.finish(now, end[END_MAX_A]!, end[END_MAX_B]!, end[END_LEVEL_A]!, end[END_LEVEL_B]!),
    drainBusy: s.drainBusy,
    spanNs: now,
  });
}

/**
 * Everything one replay's event loop reads and writes: the input's columns, the parameters
 * it uses, the model, the samplers and the state arrays of IOMMUs, devices, workers, groups
 * and requests (their scalars start in simulate).
 */
function setupReplay(view: ReplayView, model: HandlingModel, params: ReplayParams, seed: number, extras: ReplayExtras) {
  const p = view.prepared;
  const N = view.requestCount;
  const G = view.groupCount;
  const { tsNs, iommu, device, last, reqGroup, reqOpen, groupLastReq } = p;

  const rng = new Rng(seed);
  const service = new ServiceSampler(params, rng, extras.serviceSamplesNs);
  const wakeup = new WakeupSampler(params, rng);
  const out = new ResultArrays(extras.summaryOnly === true);
  const ledger = new VisitLedger(out.f64('groupVisits', G), out.f64('groupNs', G));
  const rt = model.create(new ModelContext(view, params, ledger));

  const nI = p.iommus.length;
  const nD = p.devices.length;
  const { drainPerDescNs, headWriteNs, irqLatencyNs, atsRetryNs, maxRetries, qiLockNs, qiHwNs, qiWaitNs, qiIotlbNs, qiDevTlbNs } = params;
  const listNs = params.listVisitNs;
  const descLockNs = params.iopfLock === 1 ? params.lockNs : 0;
  const reportStops = params.reportStopMarkers === 1;
  const iommufd = params.iommufdDelivery === 1;
  const userspaceNs = params.userspaceNs;
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
  // Drain-thread time awake (woken → queue empty) per IOMMU: its utilisation.
  const drainBusy = new Float64Array(nI);
  const drainSince = new Float64Array(nI);
  const overflow = new Uint8Array(nI);

  // Invalidation queue per IOMMU: q_lock (exclusive, short), then the hardware, which
  // processes descriptors in order; the submitter sees completion qiWaitNs later.
  const qLockFreeAt = new Float64Array(nI);
  const hwFreeAt = new Float64Array(nI);
  const { invStart, invTs, invKind } = p;
  const invCursor = invStart.slice(0, nI);

  // PRI credits per device, and the requests waiting at each device for one (a FIFO
  // through reqWaitNext). Credits come back when the group's response reaches the device;
  // while nobody waits, those frees are kept per device (lazy, in time order: responses of
  // one device complete in QI order) instead of as events, and counted back only when the
  // device's count runs out.
  const credits = new Int32Array(nD).fill(params.priCredits);
  const waitHead = new Int32Array(nD).fill(-1);
  const waitTail = new Int32Array(nD).fill(-1);
  const reqWaitNext = scratchI32('engine.reqWaitNext', N);
  const lazyHead = new Int32Array(nD).fill(-1);
  const lazyTail = new Int32Array(nD).fill(-1);
  const lazyNext = scratchI32('engine.lazyNext', G);
  const gHeld = scratchI32('engine.held', G);
  // fault_param->lock per device: responders' holds [acq, free), merged while they chain.
  const devLockAcq = new Float64Array(nD);
  const devLockFree = new Float64Array(nD);

  // Workers: one pool shared by every IOMMU (the iopf workqueues are unbound). Idle ones
  // on a stack; busy ones whose response is submitted wait in freeing[head … tail) by free
  // time, equal times in the order they came (the order a (time, seq) heap gives). Free
  // times come nearly in order, so an insert rarely moves anything; as a heap beside the
  // event queue it was two calls per group that V8 did not inline.
  const W = params.workers;
  const idle = new Int32Array(W);
  for (let w = 0; w < W; w++) idle[w] = W - 1 - w;
  const freeingAt = new Float64Array(2 * W);
  const freeingWorker = new Int32Array(2 * W);
  const wqNext = scratchI32('engine.wqNext', G);

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
  // Sized by the view: a sweep replays 50 000 groups of a million-group input, and zeroing
  // these for every open group of the input was a twentieth of its time.
  const { openBound } = requestCounts(p, N, G);
  const openPartial = scratchI32('engine.openPartial', openBound);
  const openEpoch = scratchI32('engine.openEpoch', openBound);

  // Report and response times start at zero; a group was reported, handled and answered
  // exactly when a worker took it (every reported group is, before the event queue runs
  // dry), so buildResult marks the others NaN by gWorker = −1.
  const gReport = out.f64('report', G);
  const gResponse = out.f64('response', G);
  const gDone = out.f64('done', G);
  const gLongest = out.u8('longest', G).fill(255);
  const gWorker = out.i32('worker', G).fill(-1);
  const gFaults = scratchI32('engine.faults', G);
  const gRetries = scratchI32('engine.retries', G);
  const gSends = scratchI32('engine.sends', G);
  const gFirstSent = scratchF64('engine.firstSent', G);
  const gSent = scratchF64('engine.sent', G);
  const gStart = scratchF64('engine.start', G);
  const detail = extras.requestDetail === true;
  const reqReport = scratchF64('engine.reqReport', detail ? N : 0);
  const reqReported = scratchU8('engine.reqReported', detail ? N : 0);

  const stageSum = new Float64Array(STAGE_TIMES.length);
  const lockSum = new Float64Array(LOCK_WAITS.length);
  const globalLock = rt.globalResponseLock;

  const series = new LevelSeries(extras.queueDepthBuckets ?? 1000, N > 0 ? tsNs[N - 1]! : 1);
  const q = new EventQueue(64);
  // Each drain thread has at most one step pending (wake-up, descriptor done, batch end): kept
  // in a slot per IOMMU instead of the heap, where these steps were two thirds of the pushes
  // and pops. Each takes a push stamp from the queue, so that at equal times slots and heap
  // events keep the order one heap gives. dMin, dMinI: the earliest slot by (time, stamp).
  const dnTime = new Float64Array(nI).fill(Infinity);
  const dnSeq = new Float64Array(nI);
  const dnKind = new Int32Array(nI);
  const dnR = new Int32Array(nI);

  const end = new Float64Array(END_FIELDS);
  return {
    N,
    G,
    tsNs,
    iommu,
    device,
    last,
    reqGroup,
    reqOpen,
    groupLastReq,
    service,
    wakeup,
    ledger,
    rt,
    nI,
    drainPerDescNs,
    headWriteNs,
    irqLatencyNs,
    atsRetryNs,
    maxRetries,
    qiLockNs,
    qiHwNs,
    qiWaitNs,
    qiIotlbNs,
    qiDevTlbNs,
    listNs,
    descLockNs,
    reportStops,
    iommufd,
    userspaceNs,
    capacity,
    ringSize,
    ring,
    ringRead,
    ringWrite,
    ringCount,
    batchSize,
    batchLeft,
    draining,
    drainBusy,
    drainSince,
    overflow,
    qLockFreeAt,
    hwFreeAt,
    invStart,
    invTs,
    invKind,
    invCursor,
    credits,
    waitHead,
    waitTail,
    reqWaitNext,
    lazyHead,
    lazyTail,
    lazyNext,
    gHeld,
    devLockAcq,
    devLockFree,
    idle,
    freeingAt,
    freeingWorker,
    wqNext,
    partialLen,
    devEpoch,
    iommuDevStart,
    iommuDevs,
    openPartial,
    openEpoch,
    gReport,
    gResponse,
    gDone,
    gLongest,
    gWorker,
    gFaults,
    gRetries,
    gSends,
    gFirstSent,
    gSent,
    gStart,
    detail,
    reqReport,
    reqReported,
    stageSum,
    lockSum,
    globalLock,
    series,
    q,
    dnTime,
    dnSeq,
    dnKind,
    dnR,
    end,
  };
}

type ReplayState = ReturnType<typeof setupReplay>;

// What simulate leaves in ReplayState.end: the time of the last event, the queue-depth
// series' open bucket, and the counters.
const END_NOW = 0;
const END_MAX_A = 1;
const END_MAX_B = 2;
const END_LEVEL_A = 3;
const END_LEVEL_B = 4;
const END_DROPS = 5;
const END_EPISODES = 6;
const END_AUTO_RESPONSES = 7;
const END_RETRIES = 8;
const END_LOST = 9;
const END_DISCARDS = 10;
const END_CREDIT_WAITS = 11;
const END_REPORTED = 12;
const END_FIELDS = 13;

/**
 * The event loop, alone in its function: V8 optimises it while it runs (on-stack
 * replacement), and code before or after the loop in the same function deoptimised that
 * code on its way out of the loop, so the next replays started again in the interpreter
 * (see the commit that split it). Scalars live in locals here, arrays come from setupReplay;
 * the scalars the result needs go to s.end, a typed array, whatever their size.
 */
function simulate(s: ReplayState): Float64Array {
  const {
    N,
    G,
    tsNs,
    iommu,
    device,
    last,
    reqGroup,
    reqOpen,
    groupLastReq,
    service,
    wakeup,
    ledger,
    rt,
    nI,
    drainPerDescNs,
    headWriteNs,
    irqLatencyNs,
    atsRetryNs,
    maxRetries,
    qiLockNs,
    qiHwNs,
    qiWaitNs,
    qiIotlbNs,
    qiDevTlbNs,
    listNs,
    descLockNs,
    reportStops,
    iommufd,
    userspaceNs,
    capacity,
    ringSize,
    ring,
    ringRead,
    ringWrite,
    ringCount,
    batchSize,
    batchLeft,
    draining,
    drainBusy,
    drainSince,
    overflow,
    qLockFreeAt,
    hwFreeAt,
    invStart,
    invTs,
    invKind,
    invCursor,
    credits,
    waitHead,
    waitTail,
    reqWaitNext,
    lazyHead,
    lazyTail,
    lazyNext,
    gHeld,
    devLockAcq,
    devLockFree,
    idle,
    freeingAt,
    freeingWorker,
    wqNext,
    partialLen,
    devEpoch,
    iommuDevStart,
    iommuDevs,
    openPartial,
    openEpoch,
    gReport,
    gResponse,
    gDone,
    gLongest,
    gWorker,
    gFaults,
    gRetries,
    gSends,
    gFirstSent,
    gSent,
    gStart,
    detail,
    reqReport,
    reqReported,
    stageSum,
    lockSum,
    globalLock,
    series,
    q,
    dnTime,
    dnSeq,
    dnKind,
    dnR,
    end,
  } = s;
  let pasidMutexFreeAt = 0;
  let idleCount = idle.length;
  let freeingHead = 0;
  let freeingTail = 0;
  let wqHead = -1;
  let wqTail = -1;
  // Requests of each group, built on the first whole-group retry (most replays have none).
  let groupReqStart: Int32Array | null = null;
  let groupReqs: Int32Array | null = null;
  let drops = 0;
  let episodes = 0;
  let autoResponses = 0;
  let retries = 0;
  let lost = 0;
  let discards = 0;
  let creditWaits = 0;
  let outstanding = 0;
  let reported = 0;
  /** Largest PRQ occupancy of any IOMMU: an arrival can only raise it, a batch end recounts. */
  let prqMax = 0;
  // The series' levels now (A: largest PRQ occupancy, B: outstanding groups), the largest of
  // each in the current bucket, and where that bucket ends: kept here, handed over at its end.
  let levelA = 0;
  let levelB = 0;
  let maxA = 0;
  let maxB = 0;
  let bucketEnd = series.nextStart;
  let dMin = Infinity;
  let dMinI = 0;
  /** Next input arrival not yet taken. */
  let next = 0;

  // One loop, no helper closures: each step (arrival, send, drain-thread step, service
  // end, credit return) is written out in place, since calls between closures sharing a
  // context were most of the replay's time. Drain-thread steps run in a nested loop that
  // continues in place while no other event or arrival is due before the next step — the
  // order the heap would give (at equal times heap events go first, arrivals after)
  // without pushing and popping.
  let now = 0;
  for (;;) {
    const ta = next < N ? tsNs[next]! : Infinity;
    const th = q.peekTime();
    const fromSlot = dMin < th || (dMin === th && dMin !== Infinity && dnSeq[dMinI]! < q.peekSeq());
    const te = fromSlot ? dMin : th;
    if (te === Infinity && ta === Infinity) break;
    let kind: number;
    /** The drain step at t was reached in place (not taken from its slot): it runs now only if nothing else is due by t. */
    let inPlace = false;
    let i: number;
    let r: number;
    let t: number;
    // At equal times, scheduled events go before new arrivals: they were caused earlier.
    if (te <= ta) {
      if (fromSlot) {
        i = dMinI;
        t = dMin;
        kind = dnKind[i]!;
        r = dnR[i]!;
        dnTime[i] = Infinity;
        dMin = Infinity;
        for (let j = 0; j < nI; j++) {
          const x = dnTime[j]!;
          if (x < dMin || (x === dMin && x !== Infinity && dnSeq[j]! < dnSeq[dMinI]!)) {
            dMin = x;
            dMinI = j;
          }
        }
      } else {
        q.pop();
        t = q.popTime;
        kind = q.popKind;
        i = q.popA;
        r = q.popB;
      }
    } else {
      t = ta;
      kind = EV_ARRIVAL;
      i = 0;
      r = next++;
    }
    now = t;
    // The queue-depth series moves to t's bucket before any level changes at t (levels set
    // in the drain loop below, which runs ahead in place, move it there).
    if (t >= bucketEnd) {
      series.advance(t, maxA, maxB, levelA, levelB);
      bucketEnd = series.nextStart;
      maxA = levelA;
      maxB = levelB;
    }

    if (kind === EV_SERVICE_DONE) {
      // Group r handled on IOMMU i: iopf_group_response / iommu_page_response.
      const g = r;
      const lr = groupLastReq[g]!;
      const d = device[lr]!;
      rt.respond(g, lr);
      // fault_param->lock, held across page_response until the QI completes.
      const fpAcq = t > devLockFree[d]! ? t : devLockFree[d]!;
      lockSum[1]! += fpAcq - t;
      let ready = fpAcq + rt.preLockNs;
      if (globalLock) {
        // pasid_mutex (v5.14–v6.0), also held across qi_submit_sync.
        const acq = ready > pasidMutexFreeAt ? ready : pasidMutexFreeAt;
        lockSum[2]! += acq - ready;
        ready = acq + rt.lockedNs;
      }
      // Recorded invalidations that reach q_lock before this response go first.
      let c = invCursor[i]!;
      const cEnd = invStart[i + 1]!;
      let qFree = qLockFreeAt[i]!;
      let hw = hwFreeAt[i]!;
      while (c < cEnd && invTs[c]! <= (ready > qFree ? ready : qFree)) {
        const acq = invTs[c]! > qFree ? invTs[c]! : qFree;
        qFree = acq + qiLockNs;
        hw = (qFree > hw ? qFree : hw) + (invKind[c] === INV_DEVTLB ? qiDevTlbNs : qiIotlbNs);
        c++;
      }
      invCursor[i] = c;
      const submit = ready > qFree ? ready : qFree;
      lockSum[3]! += submit - ready;
      qFree = submit + qiLockNs;
      lockSum[4]! += hw > qFree ? hw - qFree : 0;
      hw = (qFree > hw ? qFree : hw) + qiHwNs;
      qLockFreeAt[i] = qFree;
      hwFreeAt[i] = hw;
      const done = hw + qiWaitNs;
      if (globalLock) pasidMutexFreeAt = done;
      // Holds of one device chain back to back while responders queue for it: keep the
      // start of the chain, so a drain arriving anywhere inside it waits.
      if (fpAcq > devLockFree[d]! || devLockFree[d] === 0) devLockAcq[d] = fpAcq;
      devLockFree[d] = done;
      gResponse[g] = submit;
      gDone[g] = done;
      // Stages, request generated → response at the device (they add up).
      {
        const requested = tsNs[lr]!;
        const s0 = gFirstSent[g]! - requested;
        const s1 = gSent[g]! - gFirstSent[g]!;
        const s2 = gReport[g]! - gSent[g]!;
        const s3 = gStart[g]! - gReport[g]!;
        const s4 = t - gStart[g]!;
        const s5 = submit - t;
        const s6 = done - submit;
        stageSum[0]! += s0;
        stageSum[1]! += s1;
        stageSum[2]! += s2;
        stageSum[3]! += s3;
        stageSum[4]! += s4;
        stageSum[5]! += s5;
        stageSum[6]! += s6;
        let k = 0;
        let m = s0;
        if (s1 > m) {
          m = s1;
          k = 1;
        }
        if (s2 > m) {
          m = s2;
          k = 2;
        }
        if (s3 > m) {
          m = s3;
          k = 3;
        }
        if (s4 > m) {
          m = s4;
          k = 4;
        }
        if (s5 > m) {
          m = s5;
          k = 5;
        }
        if (s6 > m) k = 6;
        gLongest[g] = k;
      }
      // The device gets its credits back when the response arrives.
      if (gHeld[g]! > 0) {
        if (waitHead[d] !== -1) {
          q.at(done).schedule(EV_CREDIT, d, g);
        } else {
          lazyNext[g] = -1;
          if (lazyTail[d] === -1) lazyHead[d] = g;
          else lazyNext[lazyTail[d]!] = g;
          lazyTail[d] = g;
        }
      }
      outstanding--;
      levelB = outstanding;
      if (levelB > maxB) maxB = levelB;
      const w = gWorker[g]!;
      if (wqHead !== -1) {
        // The worker takes the oldest queued group once its response completes.
        const queued = wqHead;
        wqHead = wqNext[queued]!;
        if (wqHead === -1) wqTail = -1;
        gWorker[queued] = w;
        gStart[queued] = done;
        const qlr = groupLastReq[queued]!;
        const cost = rt.groupStartCost(queued, qlr, gFaults[queued]!);
        q.at(done + cost + (iommufd ? userspaceNs : service.sample(gFaults[queued]!))).schedule(EV_SERVICE_DONE, iommu[qlr]!, queued);
      } else {
        if (freeingTail === freeingAt.length) {
          // Each worker waits here at most once, so after moving down there is room.
          freeingAt.copyWithin(0, freeingHead, freeingTail);
          freeingWorker.copyWithin(0, freeingHead, freeingTail);
          freeingTail -= freeingHead;
          freeingHead = 0;
        }
        let j = freeingTail++;
        for (; j > freeingHead && freeingAt[j - 1]! > done; j--) {
          freeingAt[j] = freeingAt[j - 1]!;
          freeingWorker[j] = freeingWorker[j - 1]!;
        }
        freeingAt[j] = done;
        freeingWorker[j] = w;
      }
      continue;
    }

    if (kind === EV_CREDIT) {
      // Group r's response reached device i (a device index here): its credits return.
      const d = i;
      credits[d]! += gHeld[r]!;
      gHeld[r] = 0;
      while (credits[d]! > 0 && waitHead[d] !== -1) {
        const wr = waitHead[d]!;
        waitHead[d] = reqWaitNext[wr]!;
        if (waitHead[d] === -1) waitTail[d] = -1;
        credits[d]!--;
        const wg = reqGroup[wr]!;
        if (wg >= 0 && wg < G) gHeld[wg]!++;
        q.at(t).schedule(EV_SEND, 0, wr);
      }
      continue;
    }

    if (kind === EV_ARRIVAL) {
      // The device generates request r (first time, or re-sent with its whole group): it
      // needs a PRI credit, unless it is a Stop Marker.
      const g = reqGroup[r]!;
      if (g !== STOP_MARKER) {
        const d = device[r]!;
        if (credits[d]! === 0 && waitHead[d] === -1) {
          // Out of credits: responses that reached the device by now return theirs. Only
          // here: whether a credit is free is all a request asks, and until the count runs
          // out it is yes either way (walking per request was ~2 % of a replay).
          let lz = lazyHead[d]!;
          while (lz !== -1 && gDone[lz]! <= t) {
            credits[d]! += gHeld[lz]!;
            gHeld[lz] = 0;
            lz = lazyNext[lz]!;
          }
          lazyHead[d] = lz;
          if (lz === -1) lazyTail[d] = -1;
        }
        if (waitHead[d] !== -1 || credits[d]! === 0) {
          creditWaits++;
          reqWaitNext[r] = -1;
          if (waitTail[d] === -1) waitHead[d] = r;
          else reqWaitNext[waitTail[d]!] = r;
          waitTail[d] = r;
          // From now on credits must come back as events, to wake the waiters.
          for (let lz = lazyHead[d]!; lz !== -1; lz = lazyNext[lz]!) q.at(gDone[lz]!).schedule(EV_CREDIT, d, lz);
          lazyHead[d] = -1;
          lazyTail[d] = -1;
          continue;
        }
        credits[d]!--;
        if (g >= 0 && g < G) gHeld[g]!++;
      }
      kind = EV_SEND;
    }

    if (kind === EV_SEND) {
      // Request r reaches IOMMU i's page request queue at t.
      i = iommu[r]!;
      const g = reqGroup[r]!;
      const ok = g >= 0 && g < G;
      if (ok && last[r] === 1) {
        if (gSends[g]! === 0) gFirstSent[g] = t;
        gSends[g]!++;
        gSent[g] = t;
      }
      if (overflow[i] === 1 || ringCount[i]! >= capacity) {
        // Overflow (replay-physics §2): once PRO is set the hardware drops every new
        // request until the drain thread empties the queue and clears it.
        drops++;
        if (overflow[i] === 0) {
          overflow[i] = 1;
          episodes++;
        }
        if (ok && last[r] === 1) {
          // The IOMMU answers a dropped last-page request itself, with Success: the
          // device's credits for the group return, and it re-sends the whole group after
          // an ATS round trip.
          autoResponses++;
          const d = device[r]!;
          credits[d]! += gHeld[g]!;
          gHeld[g] = 0;
          while (credits[d]! > 0 && waitHead[d] !== -1) {
            const wr = waitHead[d]!;
            waitHead[d] = reqWaitNext[wr]!;
            if (waitHead[d] === -1) waitTail[d] = -1;
            credits[d]!--;
            const wg = reqGroup[wr]!;
            if (wg >= 0 && wg < G) gHeld[wg]!++;
            q.at(t).schedule(EV_SEND, 0, wr);
          }
          if (gRetries[g]! < maxRetries) {
            gRetries[g]!++;
            retries++;
            if (!groupReqs) {
              const csr = groupRequestLists(reqGroup, N, G);
              groupReqStart = csr.start;
              groupReqs = csr.reqs;
            }
            for (let k = groupReqStart![g]!; k < groupReqStart![g + 1]!; k++) q.pushLater(t + atsRetryNs, EV_ARRIVAL, 0, groupReqs[k]!);
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
      levelA = prqMax;
      if (levelA > maxA) maxA = levelA;
      if (draining[i] !== 0) continue;
      draining[i] = 1;
      drainSince[i] = t + irqLatencyNs;
      // The thread wakes after the IRQ latency: in place if nothing else is due by then.
      kind = EV_DRAIN_START;
      r = 0;
      t += irqLatencyNs;
      inPlace = true;
    }

    // IOMMU i's drain thread, from step `kind` at time t (r: the descriptor just handled).
    // Its steps run here one after another while nothing else is due before the next one
    // (a wake-up, the next step, the end of a wait for a device's lock); the first that has
    // to wait is parked in the IOMMU's slot, the one place a drain step is scheduled.
    for (;;) {
      if (inPlace && (q.peekTime() <= t || dMin <= t || (next < N && tsNs[next]! < t))) {
        // Something else is due first (at equal times, whatever was scheduled earlier): the
        // step waits in the IOMMU's slot.
        dnTime[i] = t;
        dnSeq[i] = q.stamp();
        dnKind[i] = kind;
        dnR[i] = r;
        if (t < dMin) {
          dMin = t;
          dMinI = i;
        }
        break;
      }
      inPlace = true;
      if (t >= bucketEnd) {
        series.advance(t, maxA, maxB, levelA, levelB);
        bucketEnd = series.nextStart;
        maxA = levelA;
        maxB = levelB;
      }
      let toDesc: boolean;
      if (kind === EV_DESC_DONE) {
        // Report descriptor r: iommu_report_device_fault takes the device's
        // fault_param->lock, which a responder may hold across its whole QI round trip.
        const g0 = reqGroup[r]!;
        if (g0 !== STOP_MARKER) {
          const d = device[r]!;
          const free = devLockFree[d]!;
          if (free > t && devLockAcq[d]! <= t) {
            lockSum[0]! += free - t;
            t = free;
            continue;
          }
        }
        if (detail) {
          reqReport[r] = t;
          reqReported[r] = 1;
        }
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
            levelB = outstanding;
            if (levelB > maxB) maxB = levelB;
            // Hand the group to a worker, or queue it. Workers whose response completed
            // by now have gone idle.
            while (freeingHead < freeingTail && freeingAt[freeingHead]! <= t) idle[idleCount++] = freeingWorker[freeingHead++]!;
            let w = -1;
            let at = 0;
            if (idleCount > 0) {
              w = idle[--idleCount]!;
              at = t + wakeup.sample();
            } else if (freeingHead < freeingTail) {
              // Busy kworkers come back for the next work item without a wake-up.
              w = freeingWorker[freeingHead]!;
              at = freeingAt[freeingHead++]!;
            }
            if (w >= 0) {
              gWorker[g0] = w;
              gStart[g0] = at;
              const cost = rt.groupStartCost(g0, groupLastReq[g0]!, gFaults[g0]!);
              q.at(at + cost + (iommufd ? userspaceNs : service.sample(gFaults[g0]!))).schedule(EV_SERVICE_DONE, i, g0);
            } else {
              wqNext[g0] = -1;
              if (wqTail === -1) wqHead = g0;
              else wqNext[wqTail] = g0;
              wqTail = g0;
            }
          }
        }
        toDesc = --batchLeft[i]! > 0;
      } else {
        if (kind === EV_BATCH_END) {
          ringCount[i]! -= batchSize[i]!;
          prqMax = 0;
          for (let j = 0; j < nI; j++) if (ringCount[j]! > prqMax) prqMax = ringCount[j]!;
          levelA = prqMax;
          if (levelA > maxA) maxA = levelA;
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
            drainBusy[i]! += t - drainSince[i]!;
            break;
          }
        }
        // Batch start: a new invocation of the thread reads the tail once and handles
        // everything up to it before moving the head; its lookup caches start cold.
        rt.resetCaches(i);
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
        if (g0 !== STOP_MARKER) {
          const g = g0 < G ? g0 : -1;
          const isLast = last[rn] === 1;
          cost += descLockNs + rt.descriptorCost(rn, g, isLast);
          if (isLast) {
            // iommu_queue_iopf / report: the whole partial list of the device is walked for the index.
            cost += ledger.add(STAGE_PARTIAL, g, partialLen[device[rn]!]!, listNs);
          }
        } else if (reportStops) {
          // Before v5.18 the driver looked Stop Markers up and reported them like faults.
          cost += descLockNs + rt.descriptorCost(rn, -1, false);
        }
        tn = t + cost;
        kn = EV_DESC_DONE;
      } else {
        tn = t + headWriteNs;
        kn = EV_BATCH_END;
      }
      kind = kn;
      r = rn;
      t = tn;
    }
  }

  end[END_NOW] = now;
  end[END_MAX_A] = maxA;
  end[END_MAX_B] = maxB;
  end[END_LEVEL_A] = levelA;
  end[END_LEVEL_B] = levelB;
  end[END_DROPS] = drops;
  end[END_EPISODES] = episodes;
  end[END_AUTO_RESPONSES] = autoResponses;
  end[END_RETRIES] = retries;
  end[END_LOST] = lost;
  end[END_DISCARDS] = discards;
  end[END_CREDIT_WAITS] = creditWaits;
  end[END_REPORTED] = reported;
  return end;
}

/** Requests of each group < G among the first N, in order (CSR: start has G + 1 entries). */
function groupRequestLists(reqGroup: Int32Array, N: number, G: number): { start: Int32Array; reqs: Int32Array } {
  const start = new Int32Array(G + 1);
  for (let r = 0; r < N; r++) {
    const g = reqGroup[r]!;
    if (g >= 0 && g < G) start[g + 1]!++;
  }
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const fill = start.slice(0, G);
  const reqs = new Int32Array(start[G]!);
  for (let r = 0; r < N; r++) {
    const g = reqGroup[r]!;
    if (g >= 0 && g < G) reqs[fill[g]!++] = r;
  }
  return { start, reqs };
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
  gDone: Float64Array;
  gLongest: Uint8Array;
  gWorker: Int32Array;
  reqReport: Float64Array | null;
  reqReported: Uint8Array;
  counters: { drops: number; episodes: number; autoResponses: number; retries: number; lost: number; discards: number; creditWaits: number; reported: number };
  stageSum: Float64Array;
  lockSum: Float64Array;
  depth: { bucketNs: number; a: number[]; b: number[] };
  drainBusy: Float64Array;
  spanNs: number;
}

/**
 * Where a replay's per-group arrays come from: fresh memory when the caller keeps them, the
 * scratch pool when it keeps only the summary (a batch of seeds): ~85 MB per million groups
 * whose first touch cost more than a tenth of the replay (page faults, see scratch.ts). A
 * class, not closures made per replay: their call sites in the engine then see the same
 * target in every replay, so V8 keeps the engine's optimised code (see ServiceSampler).
 */
class ResultArrays {
  constructor(private readonly pooled: boolean) {}

  f64(name: string, n: number): Float64Array {
    return this.pooled ? scratchF64(`result.${name}`, n) : new Float64Array(n);
  }

  i32(name: string, n: number): Int32Array {
    return this.pooled ? scratchI32(`result.${name}`, n) : new Int32Array(n);
  }

  u8(name: string, n: number): Uint8Array {
    return this.pooled ? scratchU8(`result.${name}`, n) : new Uint8Array(n);
  }
}

function buildResult(c: Collected): ReplayResult {
  const { view, ledger, gReport, gResponse, gDone, gWorker } = c;
  const p = view.prepared;
  const G = view.groupCount;
  const N = view.requestCount;
  const out = new ResultArrays(c.extras.summaryOnly === true);
  const lastRequestIndex = out.i32('lastRequest', G);
  const arrivalNs = out.f64('arrival', G);
  const latencyNs = out.f64('latency', G);
  const deviceLatencyNs = out.f64('deviceLatency', G);
  const gPasid = out.i32('pasid', G);
  // Every loop here is a leaf function: a sweep builds a result per replay, and a loop
  // optimised in place inside buildResult deoptimised on leaving it (no feedback yet for
  // what follows), every replay, leaving the rest to the interpreter.
  const answered = groupFigures(c, lastRequestIndex, arrivalNs, latencyNs, deviceLatencyNs, gPasid);
  const { requestReportNs, requestGroup } = c.reqReport ? requestFigures(p, N, G, c.reqReport, c.reqReported) : { requestReportNs: null, requestGroup: null };
  const { unfinished, stopMarkers } = requestCounts(p, N, G);
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
    overflow_episodes: c.counters.episodes,
    auto_responses: c.counters.autoResponses,
    retries: c.counters.retries,
    lost_groups: c.counters.lost,
    credit_waits: c.counters.creditWaits,
    stage_time_ns: perAnswered(STAGE_TIMES, c.stageSum, answered),
    lock_wait_ns: perAnswered(LOCK_WAITS, c.lockSum, answered),
    partial_discards: c.counters.discards,
    svm_prq_buckets: svmPrqBuckets(latencyNs, c.gWorker),
    drain_utilisation: c.spanNs > 0 ? Math.min(1, Math.max(0, ...c.drainBusy) / c.spanNs) : 0,
    unfinished_requests: unfinished,
    stop_markers: stopMarkers,
  };
  if (c.extras.recordedLatenciesNs || c.extras.holdout) {
    const resolution = c.extras.recordedResolutionNs ?? 1;
    const asRecorded = resolution > 1 ? truncatedLatencies(gReport, gResponse, resolution) : latencyNs;
    if (c.extras.recordedLatenciesNs) {
      summary.calibration = calibrate(c.extras.recordedLatenciesNs, asRecorded);
      if (resolution > 1) summary.calibration.resolution_ns = resolution;
    }
    if (c.extras.holdout) summary.holdout_calibration = holdoutCalibration(c.extras.holdout, asRecorded, arrivalNs);
  }
  return {
    summary,
    groups: {
      count: G,
      lastRequestIndex,
      pasid: gPasid,
      arrivalNs,
      reportNs: gReport,
      responseNs: gResponse,
      doneNs: gDone,
      longestStage: c.gLongest,
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

/**
 * Latencies as a tracer with timestamps of `resolution` ns would record them: report and
 * response each truncated to it (the replay's times count from the trace's first timestamp,
 * itself on that grid). A µs trace's recorded p50 is a whole µs — 3 µs where the exact
 * latencies' median was 3.24 µs — so exact replayed latencies against it showed an error
 * that was only the rounding: a simulated v6.9 trace replayed with its own preset was +0.5 %
 * off at p50 from ns timestamps and +8.9 % from the same trace's µs text (now 0 %). NaN
 * where unanswered.
 */
function truncatedLatencies(report: Float64Array, response: Float64Array, resolution: number): Float64Array {
  const out = scratchF64('engine.recordedLatency', report.length);
  for (let g = 0; g < report.length; g++) out[g] = (Math.floor(response[g]! / resolution) - Math.floor(report[g]! / resolution)) * resolution;
  return out;
}

/** Per-group figures of the result; NaN where no worker took the group. Returns how many were answered. */
function groupFigures(
  c: Collected,
  lastRequestIndex: Int32Array,
  arrivalNs: Float64Array,
  latencyNs: Float64Array,
  deviceLatencyNs: Float64Array,
  gPasid: Int32Array,
): number {
  const { view, gReport, gResponse, gDone, gWorker } = c;
  const { groupLastReq, order, tsNs } = view.prepared;
  const pasid = view.pasid;
  let answered = 0;
  for (let g = 0; g < view.groupCount; g++) {
    const r = groupLastReq[g]!;
    lastRequestIndex[g] = order ? order[r]! : r;
    arrivalNs[g] = tsNs[r]!;
    gPasid[g] = pasid[r]!;
    if (gWorker[g] === -1) {
      gReport[g] = NaN;
      gResponse[g] = NaN;
      gDone[g] = NaN;
      latencyNs[g] = NaN;
      deviceLatencyNs[g] = NaN;
    } else {
      latencyNs[g] = gResponse[g]! - gReport[g]!;
      deviceLatencyNs[g] = gDone[g]! - arrivalNs[g]!;
      answered++;
    }
  }
  return answered;
}

/** Report time and group of every input request, in input order (NaN and −1 where none). */
function requestFigures(
  p: PreparedInput,
  N: number,
  G: number,
  reqReport: Float64Array,
  reqReported: Uint8Array,
): { requestReportNs: Float64Array; requestGroup: Int32Array } {
  const requestReportNs = new Float64Array(p.count).fill(NaN);
  const requestGroup = new Int32Array(p.count).fill(-1);
  for (let r = 0; r < N; r++) {
    const to = p.order ? p.order[r]! : r;
    if (reqReported[r] === 1) requestReportNs[to] = reqReport[r]!;
    const g = p.reqGroup[r]!;
    if (g >= 0 && g < G) requestGroup[to] = g;
  }
  return { requestReportNs, requestGroup };
}

interface RequestCounts {
  N: number;
  G: number;
  /** Requests among the first N of no group the view replays (no last page within it), Stop Markers aside. */
  unfinished: number;
  stopMarkers: number;
  /** One past the largest open-group id of the first N requests (ids count up in request order). */
  openBound: number;
}

/** The last counts per prepared input: a sweep replays views of one size over and over. */
const requestCountsMemo = new WeakMap<PreparedInput, RequestCounts>();

/** Unfinished requests, Stop Markers and open groups of a view: fixed by the prepared input and the view's size, so counted once. */
function requestCounts(p: PreparedInput, N: number, G: number): RequestCounts {
  const memo = requestCountsMemo.get(p);
  if (memo && memo.N === N && memo.G === G) return memo;
  const counts = countRequests(p.reqGroup, p.reqOpen, N, G);
  requestCountsMemo.set(p, counts);
  return counts;
}

/** One pass over the first N requests' groups; a leaf function, as groupFigures. */
function countRequests(reqGroup: Int32Array, reqOpen: Int32Array, N: number, G: number): RequestCounts {
  let unfinished = 0;
  let stopMarkers = 0;
  let openBound = 0;
  for (let r = 0; r < N; r++) {
    const g = reqGroup[r]!;
    if (g === STOP_MARKER) stopMarkers++;
    else if (g < 0 || g >= G) unfinished++;
    if (reqOpen[r]! >= openBound) openBound = reqOpen[r]! + 1;
  }
  return { N, G, unfinished, stopMarkers, openBound };
}

function perAnswered(names: readonly string[], sums: Float64Array, answered: number): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((name, k) => (out[name] = answered > 0 ? Math.round((sums[k]! / answered) * 10) / 10 : 0));
  return out;
}
