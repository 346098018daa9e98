// The worker-thread side of off-thread.ts: receives one job, runs the pure replays or sweep, posts
// the result (typed arrays transferred, not copied) or the error, and ends.

import { parentPort, workerData } from 'node:worker_threads';
import { ReplayConfigError } from '../core/errors.ts';
import { replayPrepared } from './engine.ts';
import type { ReplayParams } from './params.ts';
import { prepareInput } from './prepare.ts';
import { estimateServiceTimes, inversionOptions } from './service-time.ts';
import type { ReplayResult } from './types.ts';
import { runSweep } from './sweep.ts';
import { runAxisSweep } from './sweep-axes.ts';
import { CDF_QUANTILES, type BatchResult, type WorkerJob, type WorkerReply } from './off-thread.ts';
import { percentilesOf } from './percentiles.ts';

function typedArrayBuffers(value: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) typedArrayBuffers(v, out);
  }
  return [...out];
}

function runBatch(job: Extract<WorkerJob, { kind: 'batch' }>): BatchResult {
  const prepared = prepareInput(job.input);
  // Service estimates depend only on the inversion options of a run's params: one per distinct set.
  const estimates = new Map<string, Float64Array>();
  const samplesFor = (params: ReplayParams): Float64Array | undefined => {
    if (params.serviceDist !== 'empirical' || !job.empiricalGroups) return undefined;
    const options = inversionOptions(params);
    const key = JSON.stringify(options);
    let s = estimates.get(key);
    if (!s) estimates.set(key, (s = estimateServiceTimes(job.empiricalGroups, options)));
    return s;
  };
  const recorded = job.recordedLatenciesNs ?? undefined;
  let full: ReplayResult | null = null;
  const cdfs: (number | null)[][] = [];
  const summaries = job.runs.map((r, i) => {
    const isFull = i === job.fullRun;
    const res = replayPrepared(prepared, r.model, r.params, r.seed, {
      serviceSamplesNs: samplesFor(r.params),
      recordedLatenciesNs: recorded,
      holdout: job.holdout ?? undefined,
      recordedResolutionNs: job.recordedResolutionNs ?? undefined,
      ...(isFull ? {} : { queueDepthBuckets: 1, summaryOnly: true }),
    });
    if (isFull) full = res;
    // Lost groups are NaN in latencyNs and left out, as in the summary's percentiles.
    cdfs.push(percentilesOf(res.groups.latencyNs, CDF_QUANTILES));
    return res.summary;
  });
  return { summaries, cdfs, full };
}

function run(job: WorkerJob): WorkerReply {
  if (job.kind === 'sweep') return { ok: true, kind: 'sweep', result: runSweep(job.input, job.options) };
  if (job.kind === 'axis-sweep') return { ok: true, kind: 'axis-sweep', result: runAxisSweep(job.input, job.options) };
  return { ok: true, kind: 'batch', result: runBatch(job) };
}

const { job } = workerData as { job: WorkerJob };
let reply: WorkerReply;
try {
  reply = run(job);
} catch (e) {
  reply =
    e instanceof ReplayConfigError
      ? { ok: false, parameter: e.parameter, message: e.message.slice(e.parameter.length + 2) }
      : { ok: false, parameter: null, message: e instanceof Error ? e.message : String(e) };
}
// Typed arrays may share one buffer (scratch views); transfer each buffer once.
parentPort!.postMessage(reply, reply.ok ? typedArrayBuffers(reply.result) : []);
