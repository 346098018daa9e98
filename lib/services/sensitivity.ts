// Sensitivity of a stored trace's replay (lib/replay/sensitivity.ts): the base run and every
// halved/doubled parameter at the same K seeds, one batch over worker threads; saved per
// (trace, options) so the replay page can draw the tornado of the latest one.

import { applyParamOverrides } from '../replay/params.ts';
import { replayBatchOffThread, type BatchRun } from '../replay/off-thread.ts';
import { defaultPresetForModel, presetFor, provenanceOf } from '../replay/presets.ts';
import { seedList } from '../replay/seed-samples.ts';
import { sensitivityPlan, sensitivityRows, type SensitivityResult } from '../replay/sensitivity.ts';
import type { ModelName } from '../replay/types.ts';
import type { Db } from '../db/instance.ts';
import { checkSeedCount, DEFAULT_SEED } from './replay-runs.ts';
import { loadReplayData } from '../queries/replay-input.ts';

/** Fewer seeds than a run's 8: a sensitivity run replays ~50 variants of the trace. */
export const DEFAULT_SENSITIVITY_SEEDS = 4;

export interface SensitivityOptions {
  model: ModelName;
  preset?: string;
  params?: readonly string[];
  seed?: number;
  seeds?: number;
  threads?: number;
}

export interface TraceSensitivity extends SensitivityResult {
  trace_id: number;
  overrides: string[];
  replays: number;
  seconds: number;
  created_at?: string;
}

export async function sensitivityForTrace(db: Db, traceId: number, opts: SensitivityOptions): Promise<TraceSensitivity> {
  const preset = opts.preset ? presetFor(opts.preset) : defaultPresetForModel(opts.model);
  const overrides = [...(opts.params ?? [])];
  const params = applyParamOverrides(preset.params, overrides);
  const seeds = seedList(opts.seed ?? DEFAULT_SEED, checkSeedCount(opts.seeds ?? DEFAULT_SENSITIVITY_SEEDS));
  const plan = sensitivityPlan(opts.model, params);
  const data = await loadReplayData(db, traceId);
  const started = performance.now();
  const runs: BatchRun[] = [params, ...plan.map((v) => v.params)].flatMap((p) => seeds.map((seed) => ({ model: opts.model, params: p, seed })));
  const empirical = runs.some((r) => r.params.serviceDist === 'empirical');
  const { summaries } = await replayBatchOffThread(data.input, runs, { empiricalGroups: empirical ? data.recordedGroups : null, threads: opts.threads ?? 1 });
  const k = seeds.length;
  const chunk = (i: number) => summaries.slice(i * k, (i + 1) * k);
  const result = sensitivityRows(
    opts.model,
    preset.era,
    params,
    provenanceOf(preset, params),
    plan,
    chunk(0),
    plan.map((_v, i) => chunk(i + 1)),
  );
  const seconds = (performance.now() - started) / 1000;
  const out: TraceSensitivity = { ...result, trace_id: traceId, overrides, replays: runs.length, seconds };
  const key = JSON.stringify({ model: opts.model, preset: preset.era, overrides, seeds });
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM sensitivity_runs WHERE trace_id = $1 AND options = $2', [traceId, key]);
    await tx.run("INSERT INTO sensitivity_runs VALUES ($1, $2, $3::JSON, $4, (now() AT TIME ZONE 'UTC'))", [traceId, key, JSON.stringify(out), seconds]);
  });
  return out;
}

/** The trace's most recent sensitivity run, or null. */
export async function latestSensitivity(db: Db, traceId: number): Promise<TraceSensitivity | null> {
  const rows = await db.all<{ result: string; at: string }>(
    "SELECT result, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS at FROM sensitivity_runs WHERE trace_id = $1 ORDER BY created_at DESC LIMIT 1",
    [traceId],
  );
  return rows[0] ? { ...(JSON.parse(rows[0].result) as TraceSensitivity), created_at: rows[0].at } : null;
}
