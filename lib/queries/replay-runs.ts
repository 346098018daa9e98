// Saved replay runs read back: one run, a trace's runs, and a run as one side of a comparison.
// The replay page, Compare, the exports and the report read them here; services/replay-runs.ts
// replays and saves them.

import { NotFoundError } from '../core/errors.ts';
import type { Db } from '../db/instance.ts';
import type { ModelName, ReplaySummary } from '../replay/types.ts';
import type { WhatifSide } from '../replay/whatif.ts';

export interface SavedRun {
  run_id: number;
  trace_id: number;
  model: ModelName;
  preset: string;
  seed: number;
  overrides: string[];
  created_at: string;
  seconds: number;
  summary: ReplaySummary;
}

function toRun(r: Record<string, unknown>): SavedRun {
  return {
    run_id: Number(r.run_id),
    trace_id: Number(r.trace_id),
    model: r.model as ModelName,
    preset: String(r.preset),
    seed: Number(r.seed),
    overrides: JSON.parse(String(r.overrides ?? '[]')) as string[],
    created_at: String(r.created_at),
    seconds: Number(r.seconds),
    summary: JSON.parse(String(r.summary)) as ReplaySummary,
  };
}

const RUN_COLUMNS = `run_id, trace_id, model, preset, seed, overrides, summary, seconds, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS created_at`;

export async function getReplayRun(db: Db, runId: number): Promise<SavedRun> {
  const rows = await db.all<Record<string, unknown>>(`SELECT ${RUN_COLUMNS} FROM replay_runs WHERE run_id = $1`, [runId]);
  if (!rows[0]) throw new NotFoundError(`no replay run ${runId}`);
  return toRun(rows[0]);
}

export async function listReplayRuns(db: Db, traceId: number): Promise<SavedRun[]> {
  const rows = await db.all<Record<string, unknown>>(`SELECT ${RUN_COLUMNS} FROM replay_runs WHERE trace_id = $1 ORDER BY run_id`, [traceId]);
  return rows.map(toRun);
}

/** A saved run as one side of a comparison; null for a run saved before runs kept their seeds. */
export function sideOfRun(run: SavedRun): WhatifSide | null {
  const samples = run.summary.seed_samples;
  if (!samples) return null;
  const label = `${run.model} ${run.preset}${run.overrides.length ? ` (${run.overrides.join(' ')})` : ''}`;
  return { label, run_id: run.run_id, model: run.model, preset: run.preset, samples };
}
