// Runs a replay or a sweep on a worker thread, so the server keeps answering pages while a
// long replay (seconds on a large trace) or a sweep (tens of seconds) computes. One short-lived
// worker per job: jobs are rare and the engine keeps scratch buffers per thread. The engine
// stays a pure function; this module only moves its input and output across threads.

import { Worker } from 'node:worker_threads';
import { ReplayConfigError } from '../core/errors.ts';
import { tsWorker, UNDER_TSX } from '../core/ts-worker.ts';
import type { HoldoutCheck } from './holdout.ts';
import type { ReplayParams } from './params.ts';
import type { RecordedGroupTimes } from './service-time.ts';
import { DEFAULT_SWEEP_EXPONENTS, type SweepOptions, type SweepResult } from './sweep.ts';
import { DEFAULT_OUTSTANDING_KNOBS, DEFAULT_SHARING_KNOBS, type AxisSweepOptions, type AxisSweepResult } from './sweep-axes.ts';
import type { ModelName, ReplayInput, ReplayResult, ReplaySummary } from './types.ts';

export type WorkerJob =
  | { kind: 'sweep'; input: ReplayInput; options: SweepOptions }
  | { kind: 'axis-sweep'; input: ReplayInput; options: AxisSweepOptions }
  | {
      kind: 'batch';
      input: ReplayInput;
      runs: BatchRun[];
      /** Index into runs whose whole result (per-group arrays) comes back; the others give their summary. */
      fullRun: number | null;
      recordedLatenciesNs: ArrayLike<number> | null;
      /** The recorded timestamps' resolution, ns (see ReplayExtras.recordedResolutionNs). */
      recordedResolutionNs: number | null;
      /** Recorded groups, for runs whose params say serviceDist=empirical. */
      empiricalGroups: RecordedGroupTimes[] | null;
      /** Held-out calibration: the check part every run of the batch reports on. */
      holdout: HoldoutCheck | null;
    };

/** One replay of a batch: the model, its parameters and a seed. */
export interface BatchRun {
  model: ModelName;
  params: ReplayParams;
  seed: number;
}

export interface BatchResult {
  summaries: ReplaySummary[];
  /** Per run: latency_ns at CDF_QUANTILES (nearest rank over answered groups), for CDF bands. */
  cdfs: (number | null)[][];
  full: ReplayResult | null;
}

/** Quantiles 0.02, 0.04, … 1 of each batch run's latency: enough for a band on a CDF. */
export const CDF_QUANTILES: readonly number[] = Array.from({ length: 50 }, (_, i) => (i + 1) / 50);

export type WorkerReply =
  | { ok: true; kind: 'sweep'; result: SweepResult }
  | { ok: true; kind: 'axis-sweep'; result: AxisSweepResult }
  | { ok: true; kind: 'batch'; result: BatchResult }
  | { ok: false; parameter: string | null; message: string };

/** In the Next build the literal `new Worker(new URL(…))` is what Turbopack bundles; under tsx see core/ts-worker.ts. */
function startWorker(job: WorkerJob): Worker {
  if (!UNDER_TSX) return new Worker(new URL('./replay-worker.ts', import.meta.url), { workerData: { job } });
  return tsWorker(new URL('./replay-worker.ts', import.meta.url), { workerData: { job } });
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

async function sweepShard(input: ReplayInput, options: SweepOptions): Promise<SweepResult> {
  const reply = await runJob({ kind: 'sweep', input, options });
  if (reply.kind !== 'sweep') throw new Error('replay worker answered a sweep with something else');
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

/**
 * An outstanding-groups or devices-per-PASID sweep (sweep-axes.ts) on `threads` worker threads:
 * its knobs dealt out round-robin, the points put back in knob order. A point depends only on
 * the seed and its knob, so the result equals one thread's.
 */
export async function axisSweepOffThread(input: ReplayInput, options: AxisSweepOptions, threads = 1): Promise<AxisSweepResult> {
  const knobs = options.knobs ?? (options.axis === 'outstanding' ? DEFAULT_OUTSTANDING_KNOBS : DEFAULT_SHARING_KNOBS);
  const n = Math.max(1, Math.min(Math.floor(threads), knobs.length));
  const shards = Array.from({ length: n }, (_, k) => knobs.filter((_v, i) => i % n === k));
  const results = await Promise.all(
    shards.map(async (shard) => {
      const reply = await runJob({ kind: 'axis-sweep', input, options: { ...options, knobs: shard } });
      if (reply.kind !== 'axis-sweep') throw new Error('replay worker answered an axis sweep with something else');
      return reply.result;
    }),
  );
  // Stable: each knob's points keep their model and structure order.
  const points = results.flatMap((r) => r.points).sort((a, b) => knobs.indexOf(a.knob) - knobs.indexOf(b.knob));
  return { ...results[0]!, points };
}

/**
 * Many replays of one input — the K seeds of a run, both sides of a what-if, the halved and
 * doubled parameters of a sensitivity run — dealt round-robin over `threads` worker threads
 * (each prepares the input once) and put back in order. `fullRun` names the one replay whose
 * per-group results are wanted (the run that is saved); the others return their summary.
 * A replay depends only on (input, model, params, seed), so the result equals one thread's.
 */
export async function replayBatchOffThread(
  input: ReplayInput,
  runs: readonly BatchRun[],
  options: {
    fullRun?: number | null;
    recordedLatenciesNs?: ArrayLike<number> | null;
    recordedResolutionNs?: number | null;
    empiricalGroups?: RecordedGroupTimes[] | null;
    holdout?: HoldoutCheck | null;
    threads?: number;
  },
): Promise<BatchResult> {
  const n = Math.max(1, Math.min(Math.floor(options.threads ?? 1), runs.length));
  const fullRun = options.fullRun ?? null;
  const shards = Array.from({ length: n }, (_, k) => runs.map((_r, i) => i).filter((i) => i % n === k));
  const replies = await Promise.all(
    shards.map(async (idx) => {
      const local = fullRun === null ? -1 : idx.indexOf(fullRun);
      const reply = await runJob({
        kind: 'batch',
        input,
        runs: idx.map((i) => runs[i]!),
        fullRun: local < 0 ? null : local,
        recordedLatenciesNs: options.recordedLatenciesNs ?? null,
        recordedResolutionNs: options.recordedResolutionNs ?? null,
        empiricalGroups: options.empiricalGroups ?? null,
        holdout: options.holdout ?? null,
      });
      if (reply.kind !== 'batch') throw new Error('replay worker answered a batch with something else');
      return reply.result;
    }),
  );
  const summaries = runs.map((_r, i) => replies[i % n]!.summaries[Math.floor(i / n)]!);
  const cdfs = runs.map((_r, i) => replies[i % n]!.cdfs[Math.floor(i / n)]!);
  return { summaries, cdfs, full: replies.find((r) => r.full !== null)?.full ?? null };
}
