// `pritrace replay TRACE --model per-device|domain-wide [--preset P] [--param k=v]… [--seed S]`:
// replays the trace's recorded page requests through a handling model and saves the run.

import { CliError } from '../../core/errors.ts';
import type { SavedRun } from '../../queries/replay-runs.ts';
import { MAX_SEEDS, runReplayForTrace } from '../../services/replay-runs.ts';
import { formatDurationNs } from '../../core/time.ts';
import { resolveTrace } from '../../queries/traces.ts';
import type { Interval } from '../../replay/intervals.ts';
import { SVM_PRQ_PERCENT } from '../../replay/percentiles.ts';
import { KERNEL_ERAS } from '../../replay/presets.ts';
import { intervalsOf } from '../../replay/seed-samples.ts';
import { MODEL_NAMES, type ModelName } from '../../replay/types.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';

const USAGE = `pritrace replay TRACE --model per-device|domain-wide [--preset ${KERNEL_ERAS.join('|')}] [--param name=value]... [--seed S] [--seeds K] [--holdout F] [--db PATH] [--json]`;

/** `--seeds K`: replays at seeds S … S + K − 1 for the intervals (default 8). */
export function parseSeeds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_SEEDS)
    throw new CliError(`--seeds must be an integer in [1, ${MAX_SEEDS}], got ${JSON.stringify(text)}`, 2);
  return Number(text);
}

/** `--holdout F`: fit service times on the earliest share F of the answered groups, check on the rest. */
export function parseHoldout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const f = /^(0?\.\d+|\d+(\.\d*)?)$/.test(text) ? Number(text) : NaN;
  if (!(f > 0 && f < 1))
    throw new CliError(`--holdout must be a fraction strictly between 0 and 1 (the share of groups fitted), got ${JSON.stringify(text)}`, 2);
  return f;
}

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
  seeds: number | undefined;
  holdout: number | undefined;
}

/** The held-out calibration as the CLI prints it: the split, then each error over the seeds. */
function holdoutDoc(s: SavedRun['summary'], iv: ReturnType<typeof intervalsOf>) {
  const h = s.holdout_calibration;
  if (!h) return null;
  return {
    fraction: h.fraction,
    fit_groups: h.fit_groups,
    check_groups: h.check_groups,
    replayed_check_groups: h.replayed_groups,
    split_ns: h.split_ns,
    recorded: h.recorded,
    error_p50: iv.holdout_error?.p50 ?? null,
    error_p90: iv.holdout_error?.p90 ?? null,
    error_p99: iv.holdout_error?.p99 ?? null,
  };
}

/** What `replay --json` prints: the saved run, each percentile over the seeds as {value, lo, hi}, the first seed's other figures. */
function replayDoc(run: SavedRun) {
  const s = run.summary;
  const iv = intervalsOf(s.seed_samples!);
  return {
    run_id: run.run_id,
    trace_id: run.trace_id,
    model: run.model,
    preset: run.preset,
    seed: run.seed,
    seeds: iv.seeds,
    overrides: run.overrides,
    groups: s.groups,
    answered: s.answered,
    latency_ns: iv.latency_ns,
    device_latency_ns: iv.device_latency_ns,
    seed_latency_ns: s.latency_ns,
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
    calibration: s.calibration
      ? {
          recorded: s.calibration.recorded,
          resolution_ns: s.calibration.resolution_ns ?? 1,
          error_p50: iv.calibration_error?.p50 ?? null,
          error_p99: iv.calibration_error?.p99 ?? null,
          circular: Boolean(s.calibration_note),
          note: s.calibration_note ?? null,
          holdout: holdoutDoc(s, iv),
        }
      : null,
    svm_prq: { buckets: ['1-10us', '10-100us', '100us-1ms'], real_percent: SVM_PRQ_PERCENT, replayed_percent: s.svm_prq_buckets },
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
      {
        model: { type: 'string' },
        preset: { type: 'string' },
        param: { type: 'string', multiple: true },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        holdout: { type: 'string' },
      },
      USAGE,
    );
    const ref = positional(positionals, 'TRACE (id or name)', USAGE);
    const model = parseModel(values.model, true)!;
    return {
      op: {
        ref,
        model,
        preset: values.preset,
        params: values.param ?? [],
        seed: parseSeed(values.seed),
        seeds: parseSeeds(values.seeds),
        holdout: parseHoldout(values.holdout),
      },
      db: values.db,
      json: values.json,
    };
  },
  async execute(db, op, ctx) {
    const trace = await resolveTrace(db, op.ref);
    // The CLI has the machine to itself: the seeds spread over every core (the server keeps one for pages).
    const run = await runReplayForTrace(db, trace.trace_id, {
      model: op.model,
      preset: op.preset,
      params: op.params,
      seed: op.seed,
      seeds: op.seeds,
      holdout: op.holdout,
      threads: ctx.threads,
    });
    return replayDoc(run);
  },
};

export async function replayCommand(argv: string[]): Promise<void> {
  const prepared = replayVerb.prepare(argv);
  const s = await runVerb(replayVerb, argv, prepared);
  if (prepared.json) return printJson(s);
  const d = (v: number | null | undefined) => (v === null || v === undefined ? '-' : formatDurationNs(Math.round(v)));
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);
  const di = (v: Interval | null) => (v === null ? '-' : `${d(v.value)} ±${d((v.hi - v.lo) / 2)}`);
  const pi = (v: Interval | null | undefined) => (!v ? '-' : `${pct(v.value)} ±${pct((v.hi - v.lo) / 2).replace('-', '')}`);
  const c = s.calibration;
  process.stdout.write(
    [
      `run ${s.run_id}: trace ${s.trace_id}, ${s.model} (${s.preset}), seeds ${s.seeds[0]}…${s.seeds.at(-1)} (${s.seeds.length}), ${s.groups} groups in ${s.seconds.toFixed(2)} s`,
      `mean over the seeds ± the 95 % range of one more seed:`,
      `latency        p50 ${di(s.latency_ns.p50)}  p90 ${di(s.latency_ns.p90)}  p99 ${di(s.latency_ns.p99)}  max ${di(s.latency_ns.max)}`,
      `device waits   p50 ${di(s.device_latency_ns.p50)}  p90 ${di(s.device_latency_ns.p90)}  p99 ${di(s.device_latency_ns.p99)}  max ${di(s.device_latency_ns.max)}`,
      `the rest is seed ${s.seed}'s (saved per group):`,
      `lookup   visits mean ${s.lookup.visits_mean?.toFixed(2) ?? '-'} p99 ${s.lookup.visits_p99 ?? '-'}; ns mean ${s.lookup.ns_mean?.toFixed(1) ?? '-'} p99 ${s.lookup.ns_p99 ?? '-'}`,
      `drops ${s.drops} (${s.overflow_episodes} overflow episodes, ${s.auto_responses} auto-responses), whole-group retries ${s.retries}, lost groups ${s.lost_groups}, credit waits ${s.credit_waits}`,
      `stages (mean per group, request → response at the device): ${Object.entries(s.stage_time_ns)
        .map(([k, v]) => `${k} ${d(v)}`)
        .join(', ')}`,
      `lock waits (mean per group): ${Object.entries(s.lock_wait_ns)
        .map(([k, v]) => `${k} ${d(v)}`)
        .join(', ')}`,
      c
        ? `calibration: recorded p50 ${d(c.recorded.p50)} p99 ${d(c.recorded.p99)}; error over the seeds p50 ${pi(c.error_p50)} p99 ${pi(c.error_p99)}${c.resolution_ns > 1 ? ` (replayed times truncated to the trace's ${d(c.resolution_ns)} timestamps)` : ''}`
        : 'calibration: the trace has no answered groups',
      ...(c?.note ? [`calibration is circular: ${c.note}`] : []),
      ...(c?.holdout
        ? [
            `held-out calibration: service times fitted on the ${c.holdout.fit_groups} groups reported in the first ${d(c.holdout.split_ns)}, checked on the other ${c.holdout.check_groups}: recorded p50 ${d(c.holdout.recorded.p50)} p90 ${d(c.holdout.recorded.p90)} p99 ${d(c.holdout.recorded.p99)}; error over the seeds p50 ${pi(c.holdout.error_p50)} p90 ${pi(c.holdout.error_p90)} p99 ${pi(c.holdout.error_p99)}`,
          ]
        : []),
      `vs the real svm_prq histogram (1–10 µs / 10–100 µs / 100 µs–1 ms): replayed ${s.svm_prq.replayed_percent.map((v) => v.toFixed(1)).join(' / ')} %, real ${SVM_PRQ_PERCENT.join(' / ')} % (comparable at low load)`,
    ].join('\n') + '\n',
  );
}
