// `pritrace replay TRACE --model per-device|domain-wide [--preset P] [--param k=v]… [--seed S]`:
// replays the trace's recorded page requests through a handling model and saves the run.

import { CliError } from '../../core/errors.ts';
import { runReplayForTrace, type SavedRun } from '../../db/replay-runs.ts';
import { formatDurationNs } from '../../core/time.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { KERNEL_ERAS } from '../../replay/presets.ts';
import { MODEL_NAMES, type ModelName } from '../../replay/types.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';

const USAGE = `pritrace replay TRACE --model per-device|domain-wide [--preset ${KERNEL_ERAS.join('|')}] [--param name=value]... [--seed S] [--db PATH] [--json]`;

export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new CliError(`--seed must be a non-negative integer, got ${JSON.stringify(text)}`, 2);
  return Number(text);
}

export function parseModel(text: string | undefined, required: boolean): ModelName | undefined {
  if (text === undefined) {
    if (required) throw new CliError(`missing --model (${MODEL_NAMES.join(' or ')})\nusage: ${USAGE}`, 2);
    return undefined;
  }
  if (!(MODEL_NAMES as readonly string[]).includes(text)) throw new CliError(`--model must be ${MODEL_NAMES.join(' or ')}, got ${JSON.stringify(text)}`, 2);
  return text as ModelName;
}

interface ReplayOp {
  ref: string;
  model: ModelName;
  preset: string | undefined;
  params: string[];
  seed: number | undefined;
}

/** What `replay --json` prints: the saved run and its summary's figures. */
function replayDoc(run: SavedRun) {
  const s = run.summary;
  return {
    run_id: run.run_id,
    trace_id: run.trace_id,
    model: run.model,
    preset: run.preset,
    seed: run.seed,
    overrides: run.overrides,
    groups: s.groups,
    answered: s.answered,
    latency_ns: s.latency_ns,
    device_latency_ns: s.device_latency_ns,
    lookup: s.lookup,
    lookup_stages: s.lookup_stages,
    drops: s.drops,
    overflow_episodes: s.overflow_episodes,
    auto_responses: s.auto_responses,
    retries: s.retries,
    lost_groups: s.lost_groups,
    credit_waits: s.credit_waits,
    stage_time_ns: s.stage_time_ns,
    lock_wait_ns: s.lock_wait_ns,
    calibration: s.calibration ?? null,
    params: s.params,
    params_provenance: s.params_provenance ?? null,
    seconds: run.seconds,
  };
}

export const replayVerb: DbVerb<ReplayOp, ReturnType<typeof replayDoc>> = {
  name: 'replay',
  prepare(argv) {
    const { values, positionals } = parse(
      argv,
      { model: { type: 'string' }, preset: { type: 'string' }, param: { type: 'string', multiple: true }, seed: { type: 'string' } },
      USAGE,
    );
    const ref = positional(positionals, 'TRACE (id or name)', USAGE);
    const model = parseModel(values.model, true)!;
    return { op: { ref, model, preset: values.preset, params: values.param ?? [], seed: parseSeed(values.seed) }, db: values.db, json: values.json };
  },
  async execute(db, op) {
    const trace = await resolveTrace(db, op.ref);
    return replayDoc(await runReplayForTrace(db, trace.trace_id, { model: op.model, preset: op.preset, params: op.params, seed: op.seed }));
  },
};

export async function replayCommand(argv: string[]): Promise<void> {
  const prepared = replayVerb.prepare(argv);
  const s = await runVerb(replayVerb, argv, prepared);
  if (prepared.json) return printJson(s);
  const d = (v: number | null | undefined) => (v === null || v === undefined ? '-' : formatDurationNs(Math.round(v)));
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);
  const c = s.calibration;
  process.stdout.write(
    [
      `run ${s.run_id}: trace ${s.trace_id}, ${s.model} (${s.preset}), seed ${s.seed}, ${s.groups} groups in ${s.seconds.toFixed(2)} s`,
      `latency  p50 ${d(s.latency_ns.p50)}  p90 ${d(s.latency_ns.p90)}  p99 ${d(s.latency_ns.p99)}  max ${d(s.latency_ns.max)}`,
      `lookup   visits mean ${s.lookup.visits_mean?.toFixed(2) ?? '-'} p99 ${s.lookup.visits_p99 ?? '-'}; ns mean ${s.lookup.ns_mean?.toFixed(1) ?? '-'} p99 ${s.lookup.ns_p99 ?? '-'}`,
      `drops ${s.drops} (${s.overflow_episodes} overflow episodes, ${s.auto_responses} auto-responses), whole-group retries ${s.retries}, lost groups ${s.lost_groups}, credit waits ${s.credit_waits}`,
      `stages (mean per group, request → response at the device): ${Object.entries(s.stage_time_ns).map(([k, v]) => `${k} ${d(v)}`).join(', ')}`,
      `lock waits (mean per group): ${Object.entries(s.lock_wait_ns).map(([k, v]) => `${k} ${d(v)}`).join(', ')}`,
      c
        ? `calibration: recorded p50 ${d(c.recorded.p50)} p99 ${d(c.recorded.p99)}; replayed p50 ${d(c.replayed.p50)} p99 ${d(c.replayed.p99)}; error p50 ${pct(c.error_p50)} p99 ${pct(c.error_p99)}`
        : 'calibration: the trace has no answered groups',
    ].join('\n') + '\n',
  );
}
