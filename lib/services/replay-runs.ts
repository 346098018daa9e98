// Replays a stored trace through a model and saves the run (replay_runs + per-group
// replay_results) in one transaction; lists and reads saved runs. Called by the CLI `replay`
// verb and the replay page. The engine itself is pure (lib/replay); this module only feeds it
// from DuckDB and stores what it returns.

import { ReplayConfigError } from '../core/errors.ts';
import { checkHoldoutFraction, holdoutCheck, splitHoldout } from '../replay/holdout.ts';
import { applyParamOverrides, type ReplayParams } from '../replay/params.ts';
import { defaultPresetForModel, presetFor, provenanceOf } from '../replay/presets.ts';
import { CDF_QUANTILES, replayBatchOffThread } from '../replay/off-thread.ts';
import { seedList, seedSamplesOf } from '../replay/seed-samples.ts';
import { STAGE_TIMES, type ModelName } from '../replay/types.ts';
import type { Db } from '../db/instance.ts';
import { getReplayRun, type SavedRun } from '../queries/replay-runs.ts';
import { loadReplayData } from '../queries/replay-input.ts';
import { timestampResolutionNs } from '../queries/charts/timestamp-resolution.ts';

export interface ReplayRunOptions {
  model: ModelName;
  /** Kernel era whose parameters start the run; default the model's own era. */
  preset?: string;
  /** `name=value` overrides, applied in order. */
  params?: readonly string[];
  seed?: number;
  /** Seeds replayed (seed, seed + 1, …): every figure gets an interval over them. Default 8. */
  seeds?: number;
  /** Worker threads the seeds are dealt to. The server keeps 1 so pages keep a core. */
  threads?: number;
  /** Held-out calibration: the share of answered groups (earliest first) the service times
   *  are estimated on; the rest are the check part (holdout.ts). Implies serviceDist=empirical. */
  holdout?: number;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_SEEDS = 8;
export const MAX_SEEDS = 64;

export function checkSeedCount(k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > MAX_SEEDS) throw new ReplayConfigError('seeds', `must be an integer in [1, ${MAX_SEEDS}], got ${k}`);
  return k;
}

export async function runReplayForTrace(db: Db, traceId: number, opts: ReplayRunOptions): Promise<SavedRun> {
  const preset = opts.preset ? presetFor(opts.preset) : defaultPresetForModel(opts.model);
  const overrides = [...(opts.params ?? [])];
  if (opts.holdout !== undefined) holdoutOverrides(preset.params, overrides, opts.holdout);
  const params = applyParamOverrides(preset.params, overrides);
  const seed = opts.seed ?? DEFAULT_SEED;
  const data = await loadReplayData(db, traceId);
  const split = opts.holdout === undefined ? null : splitHoldout(data.recordedGroups, opts.holdout);
  const started = performance.now();
  const provenance = provenanceOf(preset, params);
  const seeds = seedList(seed, checkSeedCount(opts.seeds ?? DEFAULT_SEEDS));
  const batch = await replayBatchOffThread(
    data.input,
    seeds.map((s) => ({ model: opts.model, params, seed: s })),
    {
      fullRun: 0,
      recordedLatenciesNs: data.recordedLatenciesNs,
      recordedResolutionNs: await timestampResolutionNs(db, traceId),
      empiricalGroups: params.serviceDist === 'empirical' ? (split?.fit ?? data.recordedGroups) : null,
      holdout: split && holdoutCheck(split, data.input.originNs ?? 0n),
      threads: opts.threads ?? 1,
    },
  );
  const result = batch.full!;
  const seconds = (performance.now() - started) / 1000;
  result.summary.params_provenance = provenance;
  result.summary.seed_samples = { ...seedSamplesOf(batch.summaries), latency_cdf: { qs: [...CDF_QUANTILES], values: batch.cdfs } };
  const note = await circularCalibrationNote(db, traceId);
  if (note) result.summary.calibration_note = note;

  return db.transaction(async (tx) => {
    const ids = await tx.all<{ id: number }>("SELECT CAST(nextval('run_id_seq') AS INTEGER) AS id");
    const runId = ids[0]!.id;
    await tx.run(
      `INSERT INTO replay_runs (run_id, trace_id, model, preset, seed, params, overrides, summary, queue_depth, groups, seconds, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::JSON, $7::JSON, $8::JSON, $9::JSON, $10, $11, (now() AT TIME ZONE 'UTC'))`,
      [
        runId,
        traceId,
        opts.model,
        preset.era,
        BigInt(seed),
        JSON.stringify(params),
        JSON.stringify(overrides),
        JSON.stringify(result.summary),
        JSON.stringify(result.queueDepth),
        BigInt(result.groups.count),
        seconds,
      ],
    );
    const g = result.groups;
    const input = data.input;
    const origin = input.originNs ?? 0n;
    const app = await tx.appender('replay_results', [
      'integer',
      'integer',
      'varchar',
      'varchar',
      'integer',
      'integer',
      'bigint',
      'bigint',
      'bigint',
      'integer',
      'double',
      'integer',
      'bigint',
      'bigint',
      'bigint',
      'varchar',
    ]);
    const at = (v: number) => (Number.isNaN(v) ? null : origin + BigInt(Math.round(v)));
    const asNs = (v: number) => (Number.isNaN(v) ? null : BigInt(Math.round(v)));
    try {
      for (let k = 0; k < g.count; k++) {
        const r = g.lastRequestIndex[k]!;
        app.row([
          runId,
          k,
          input.iommus[input.iommu[r]!] ?? null,
          input.devices[input.device[r]!] ?? null,
          g.pasid[k]!,
          input.prgi[r]!,
          origin + BigInt(Math.round(g.arrivalNs[k]!)),
          asNs(g.latencyNs[k]!),
          asNs(g.deviceLatencyNs[k]!),
          Math.round(g.lookupVisits[k]!),
          g.lookupNs[k]!,
          g.worker[k]!,
          at(g.reportNs[k]!),
          at(g.responseNs[k]!),
          at(g.doneNs[k]!),
          STAGE_TIMES[g.longestStage[k]!] ?? null,
        ]);
      }
    } finally {
      app.close();
    }
    return getReplayRun(tx, runId);
  });
}

/**
 * A held-out run checks trace-driven service times, so it replays with serviceDist=empirical:
 * added to the overrides (the saved run shows it) unless the user chose another distribution,
 * which is refused — with a distribution nobody fitted to this trace there is nothing to hold out.
 */
function holdoutOverrides(base: ReplayParams, overrides: string[], fraction: number): void {
  checkHoldoutFraction(fraction);
  const dist = applyParamOverrides(base, overrides).serviceDist;
  if (dist === 'empirical') return;
  if (overrides.some((o) => o.slice(0, o.indexOf('=')).trim() === 'serviceDist')) {
    throw new ReplayConfigError('holdout', `checks service times estimated from the trace (serviceDist=empirical); this run sets serviceDist=${dist}`);
  }
  overrides.push('serviceDist=empirical');
}

/**
 * Replaying a trace our own simulator wrote reproduces the engine that made it (replay-physics
 * §8): its calibration error measures the engine against itself. A simulator-format trace may
 * come from that simulator, so its runs say so. (Simulated ftrace text cannot be told from a
 * real one: it is written to be indistinguishable.)
 */
async function circularCalibrationNote(db: Db, traceId: number): Promise<string | null> {
  const [t] = await db.all<{ format: string }>('SELECT format FROM traces WHERE trace_id = $1', [traceId]);
  if (t?.format !== 'sim-csv' && t?.format !== 'sim-jsonl') return null;
  return `this trace is in the simulator's format (${t.format}): if pritrace simulate wrote it, the calibration compares the engine with itself (circular) and says nothing about a real kernel; calibrate on a recorded trace and against the svm_prq histogram`;
}
