// Runs a replay or a sweep on a worker thread, so the server keeps answering pages while a
// long replay (seconds on a large trace) or a sweep (tens of seconds) computes. One short-lived
// worker per job: jobs are rare and the engine keeps scratch buffers per thread. The engine
// stays a pure function; this module only moves its input and output across threads.

import { Worker } from 'node:worker_threads';
import { ReplayConfigError } from '../core/errors.ts';
import type { ReplayExtras } from './engine.ts';
import type { ReplayParams } from './params.ts';
import type { InversionOptions, RecordedGroupTimes } from './service-time.ts';
import { DEFAULT_SWEEP_EXPONENTS, type SweepOptions, type SweepResult } from './sweep.ts';
import type { ModelName, ReplayInput, ReplayResult } from './types.ts';

export type WorkerJob =
  | {
      kind: 'replay';
      input: ReplayInput;
      model: ModelName;
      params: ReplayParams;
      seed: number;
      extras: Omit<ReplayExtras, 'serviceSamplesNs'>;
      /** For serviceDist=empirical: estimated on the worker from these recorded groups. */
      empiricalService: { groups: RecordedGroupTimes[]; options: InversionOptions } | null;
    }
  | { kind: 'sweep'; input: ReplayInput; options: SweepOptions };

export type WorkerReply =
  | { ok: true; kind: 'replay'; result: ReplayResult }
  | { ok: true; kind: 'sweep'; result: SweepResult }
  | { ok: false; parameter: string | null; message: string };

/**
 * Under tsx (CLI, tests: node --import tsx) a worker does not inherit tsx's loader hooks on
 * Node 20, so a small bootstrap registers tsx in the worker before loading the entry. In the
 * Next build the literal `new Worker(new URL(…))` form is what Turbopack bundles; the bundle
 * keeps import.meta.url on the .ts source, so tsx is told by the process's loader flags.
 */
const UNDER_TSX = process.execArgv.some((a) => a.includes('tsx'));
const TSX_BOOTSTRAP = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry); });`;

function startWorker(job: WorkerJob): Worker {
  if (!UNDER_TSX) return new Worker(new URL('./replay-worker.ts', import.meta.url), { workerData: { job } });
  const entry = new URL('./replay-worker.ts', import.meta.url).href;
  return new Worker(TSX_BOOTSTRAP, { eval: true, workerData: { job, entry, tsx: import.meta.resolve('tsx/esm/api') } });
}

function runJob(job: WorkerJob): Promise<WorkerReply & { ok: true }> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(job);
    let settled = false;
    worker.once('message', (reply: WorkerReply) => {
      settled = true;
      if (reply.ok) resolve(reply);
      else reject(reply.parameter === null ? new Error(reply.message) : new ReplayConfigError(reply.parameter, reply.message));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`replay worker exited with code ${code} before answering`));
    });
  });
}

export async function replayOffThread(job: Omit<Extract<WorkerJob, { kind: 'replay' }>, 'kind'>): Promise<ReplayResult> {
  const reply = await runJob({ kind: 'replay', ...job });
  if (reply.kind !== 'replay') throw new Error('replay worker answered a replay with a sweep');
  return reply.result;
}

async function sweepShard(input: ReplayInput, options: SweepOptions): Promise<SweepResult> {
  const reply = await runJob({ kind: 'sweep', input, options });
  if (reply.kind !== 'sweep') throw new Error('replay worker answered a sweep with a replay');
  return reply.result;
}

/**
 * A sweep on `threads` worker threads: its PASID counts dealt out round-robin (the costly
 * points are the large counts, so each shard gets some), the points put back in one run's
 * order. A point depends only on the seed, its count and its allocation, so the result equals
 * one thread's, point for point (tests/replay/sweep-shards.test.ts).
 */
export async function sweepOffThread(input: ReplayInput, options: SweepOptions, threads = 1): Promise<SweepResult> {
  const exponents = options.exponents ?? DEFAULT_SWEEP_EXPONENTS;
  const n = Math.max(1, Math.min(Math.floor(threads), exponents.length));
  if (n === 1) return sweepShard(input, options);
  const shards = Array.from({ length: n }, (_, k) => exponents.filter((_e, i) => i % n === k));
  const results = await Promise.all(shards.map((ex) => sweepShard(input, { ...options, exponents: ex })));
  const points = exponents.flatMap((_e, i) => {
    const shard = results[i % n]!;
    const count = shard.points.length / shards[i % n]!.length;
    const at = Math.floor(i / n) * count;
    return shard.points.slice(at, at + count);
  });
  return { ...results[0]!, points };
}
