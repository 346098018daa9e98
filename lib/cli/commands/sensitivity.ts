// `pritrace sensitivity TRACE [--model M] [--preset ERA] [--param k=v]… [--seed S] [--seeds K]
// [--json]`: every numeric parameter halved and doubled, device-side p50/p99 of each, ranked
// by how far p99 moves; dominant parameters that are only estimates are flagged.

import { formatDurationNs } from '../../core/time.ts';
import { sensitivityForTrace } from '../../services/sensitivity.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { KERNEL_ERAS, PRESETS, type KernelEra } from '../../replay/presets.ts';
import type { ModelName } from '../../replay/types.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';
import { parseModel, parseSeed, parseSeeds } from './replay.ts';

const USAGE = `pritrace sensitivity TRACE [--model per-device|domain-wide] [--preset ${KERNEL_ERAS.join('|')}] [--param name=value]... [--seed S] [--seeds K] [--db PATH] [--json]
  default: --model domain-wide (or the preset's model), --seeds 4`;

interface SensitivityOp {
  ref: string;
  model: ModelName;
  preset: string | undefined;
  params: string[];
  seed: number | undefined;
  seeds: number | undefined;
}

export const sensitivityVerb: DbVerb<SensitivityOp, Awaited<ReturnType<typeof sensitivityForTrace>>> = {
  name: 'sensitivity',
  prepare(argv) {
    const { values, positionals } = parse(
      argv,
      { model: { type: 'string' }, preset: { type: 'string' }, param: { type: 'string', multiple: true }, seed: { type: 'string' }, seeds: { type: 'string' } },
      USAGE,
    );
    const ref = positional(positionals, 'TRACE (id or name)', USAGE);
    const eraModel = values.preset && Object.hasOwn(PRESETS, values.preset) ? PRESETS[values.preset as KernelEra].model : undefined;
    const model: ModelName = parseModel(values.model, false) ?? eraModel ?? 'domain-wide';
    const op = { ref, model, preset: values.preset, params: values.param ?? [], seed: parseSeed(values.seed), seeds: parseSeeds(values.seeds) };
    return { op, db: values.db, json: values.json };
  },
  async execute(db, op, ctx) {
    const trace = await resolveTrace(db, op.ref);
    return sensitivityForTrace(db, trace.trace_id, {
      model: op.model,
      preset: op.preset,
      params: op.params,
      seed: op.seed,
      seeds: op.seeds,
      threads: ctx.threads,
    });
  },
};

export async function sensitivityCommand(argv: string[]): Promise<void> {
  const prepared = sensitivityVerb.prepare(argv);
  const result = await runVerb(sensitivityVerb, argv, prepared);
  if (prepared.json) return printJson(result);
  const d = (v: number | null | undefined) => (v === null || v === undefined ? '-' : formatDurationNs(Math.round(v)));
  const pc = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`);
  const lines = [
    `sensitivity of trace ${result.trace_id}, ${result.model} (${result.preset}), seeds ${result.seeds.join(',')}: ${result.replays} replays in ${result.seconds.toFixed(1)} s`,
    `device-side p50 ${d(result.base.p50?.value)}, p99 ${d(result.base.p99?.value)} (seed noise of p99 ±${(result.noise * 100).toFixed(1)}%)`,
    'param                   provenance  base          half: p99 (change)        double: p99 (change)      flag',
  ];
  for (const r of result.rows) {
    const side = (s: typeof r.half) => (s ? `${d(s.p99)} (${pc(s.p99_change)})` : '-').padEnd(26);
    lines.push(
      `${r.param.padEnd(23)} ${r.provenance.padEnd(11)} ${String(r.base).padEnd(13)} ${side(r.half)}${side(r.double)}${r.estimate_dominant ? 'DOMINANT ESTIMATE' : r.dominant ? 'dominant' : ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
