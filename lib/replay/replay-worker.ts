// The worker-thread side of off-thread.ts: receives one job, runs the pure replay or sweep, posts
// the result (typed arrays transferred, not copied) or the error, and ends.

import { parentPort, workerData } from 'node:worker_threads';
import { ReplayConfigError } from '../core/errors.ts';
import { runReplay } from './engine.ts';
import { estimateServiceTimes } from './service-time.ts';
import { runSweep } from './sweep.ts';
import type { WorkerJob, WorkerReply } from './off-thread.ts';

function typedArrayBuffers(value: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) typedArrayBuffers(v, out);
  }
  return [...out];
}

function run(job: WorkerJob): WorkerReply {
  if (job.kind === 'sweep') return { ok: true, kind: 'sweep', result: runSweep(job.input, job.options) };
  const serviceSamplesNs = job.empiricalService ? estimateServiceTimes(job.empiricalService.groups, job.empiricalService.options) : undefined;
  const result = runReplay(job.input, job.model, job.params, job.seed, { ...job.extras, serviceSamplesNs });
  return { ok: true, kind: 'replay', result };
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
