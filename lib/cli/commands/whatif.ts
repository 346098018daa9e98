// `pritrace whatif TRACE [--a MODEL@ERA] [--b MODEL@ERA] [--seed S] [--seeds K] [--json]`:
// what the other design or era would change for this trace — both replays over K seeds, the
// difference of every percentile with its interval, whether it exceeds the seed noise, the
// per-stage breakdown of each side and a one-sentence verdict. Both runs are saved.

import { CliError } from '../../core/errors.ts';
import { formatDurationNs } from '../../core/time.ts';
import type { Db } from '../../db/instance.ts';
import { whatifForTrace, type WhatifSideSpec } from '../../services/whatif.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { defaultPresetForModel, KERNEL_ERAS, PRESETS, type KernelEra } from '../../replay/presets.ts';
import { PERCENTILES } from '../../replay/seed-samples.ts';
import { MODEL_NAMES, type ModelName } from '../../replay/types.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';
import { parseSeed, parseSeeds } from './replay.ts';

const USAGE = `pritrace whatif TRACE [--a MODEL@ERA] [--b MODEL@ERA] [--seed S] [--seeds K] [--db PATH] [--json]
  MODEL is ${MODEL_NAMES.join(' or ')}, ERA one of ${KERNEL_ERAS.join(', ')}; either may be left out
  (MODEL alone takes its own era, ERA alone its era's model). Default: --a per-device@v5.17 --b domain-wide@v6.9`;

/** `per-device@v6.6`, `domain-wide`, `v6.1` → model and era. */
export function parseSide(text: string | undefined, fallback: ModelName, flag: string): WhatifSideSpec {
  if (text === undefined) return { model: fallback, preset: defaultPresetForModel(fallback).era };
  const [left, right] = text.includes('@') ? text.split('@', 2) : (KERNEL_ERAS as readonly string[]).includes(text) ? ['', text] : [text, ''];
  const era = right || undefined;
  if (era !== undefined && !(KERNEL_ERAS as readonly string[]).includes(era)) {
    throw new CliError(`${flag}: unknown era ${JSON.stringify(era)}; known: ${KERNEL_ERAS.join(', ')}`, 2);
  }
  if (left && !(MODEL_NAMES as readonly string[]).includes(left!))
    throw new CliError(`${flag}: model must be ${MODEL_NAMES.join(' or ')}, got ${JSON.stringify(left)}`, 2);
  const model = (left || (era ? PRESETS[era as KernelEra].model : fallback)) as ModelName;
  return { model, preset: era ?? defaultPresetForModel(model).era };
}

interface WhatifOp {
  ref: string;
  a: WhatifSideSpec;
  b: WhatifSideSpec;
  seed: number | undefined;
  seeds: number | undefined;
}

async function whatifDoc(db: Db, op: WhatifOp, threads: number) {
  const started = performance.now();
  const trace = await resolveTrace(db, op.ref);
  const result = await whatifForTrace(db, trace.trace_id, { a: op.a, b: op.b, seed: op.seed, seeds: op.seeds, threads });
  return { trace_id: trace.trace_id, ...result, seconds: (performance.now() - started) / 1000 };
}

export const whatifVerb: DbVerb<WhatifOp, Awaited<ReturnType<typeof whatifDoc>>> = {
  name: 'whatif',
  prepare(argv) {
    const { values, positionals } = parse(argv, { a: { type: 'string' }, b: { type: 'string' }, seed: { type: 'string' }, seeds: { type: 'string' } }, USAGE);
    const ref = positional(positionals, 'TRACE (id or name)', USAGE);
    const op = {
      ref,
      a: parseSide(values.a, 'per-device', '--a'),
      b: parseSide(values.b, 'domain-wide', '--b'),
      seed: parseSeed(values.seed),
      seeds: parseSeeds(values.seeds),
    };
    return { op, db: values.db, json: values.json };
  },
  execute: (db, op, ctx) => whatifDoc(db, op, ctx.threads),
};

export async function whatifCommand(argv: string[]): Promise<void> {
  const prepared = whatifVerb.prepare(argv);
  const result = await runVerb(whatifVerb, argv, prepared);
  const seconds = result.seconds;
  if (prepared.json) return printJson(result);
  const d = (v: number | null | undefined) => (v === null || v === undefined ? '-' : formatDurationNs(Math.round(v)));
  const lines = [
    result.verdict,
    '',
    `A = run ${result.a.run_id} ${result.a.label}, B = run ${result.b.run_id} ${result.b.label}; seeds ${result.a.seeds.join(',')}; ${seconds.toFixed(1)} s`,
  ];
  lines.push('device waits  A (± one more seed)        B (± one more seed)        B − A (95 % interval)       significant');
  for (const p of PERCENTILES) {
    const ia = result.a.device_latency_ns[p];
    const ib = result.b.device_latency_ns[p];
    const df = result.difference.device_latency_ns[p];
    const cell = (iv: typeof ia) => (iv ? `${d(iv.value)} ±${d((iv.hi - iv.lo) / 2)}` : '-').padEnd(27);
    const dcell = df ? `${d(df.value)} [${d(df.lo)}, ${d(df.hi)}]`.padEnd(28) : '-'.padEnd(28);
    lines.push(`${p.padEnd(13)} ${cell(ia)}${cell(ib)}${dcell}${df ? (df.significant ? 'yes' : 'no') : '-'}`);
  }
  lines.push('', 'stage (mean per group)   A            B');
  for (const [st, v] of Object.entries(result.stage_breakdown.a)) lines.push(`${st.padEnd(24)} ${d(v).padEnd(12)} ${d(result.stage_breakdown.b[st])}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
