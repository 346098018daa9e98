// `pritrace sweep TRACE [--seed S] [--max-groups N] [--refresh] [--json]`: domain lookup cost
// and latency vs the number of live PASIDs (1 … 2^20), dense and sparse, per model and
// structure. Results are cached per trace and options; --refresh recomputes.

import type { TraceSweep } from '../../queries/sweep-cache.ts';
import { sweepForTrace } from '../../services/sweeps.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { CliError } from '../../core/errors.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';
import { parseSeed } from './replay.ts';

const USAGE = 'pritrace sweep TRACE [--seed S] [--max-groups N] [--refresh] [--db PATH] [--json]';

interface SweepOp {
  ref: string;
  seed: number;
  maxGroupsPerPoint: number | undefined;
  refresh: boolean;
}

export const sweepVerb: DbVerb<SweepOp, TraceSweep> = {
  name: 'sweep',
  prepare(argv) {
    const { values, positionals } = parse(
      argv,
      { seed: { type: 'string' }, 'max-groups': { type: 'string' }, refresh: { type: 'boolean', default: false } },
      USAGE,
    );
    const ref = positional(positionals, 'TRACE (id or name)', USAGE);
    const maxText = values['max-groups'];
    if (maxText !== undefined && !/^\d+$/.test(maxText)) throw new CliError(`--max-groups must be a positive integer, got ${JSON.stringify(maxText)}`, 2);
    return {
      op: { ref, seed: parseSeed(values.seed) ?? 1, maxGroupsPerPoint: maxText ? Number(maxText) : undefined, refresh: values.refresh },
      db: values.db,
      json: values.json,
    };
  },
  async execute(db, op, ctx) {
    const trace = await resolveTrace(db, op.ref);
    const options = { seed: op.seed, ...(op.maxGroupsPerPoint !== undefined ? { maxGroupsPerPoint: op.maxGroupsPerPoint } : {}) };
    return sweepForTrace(db, trace.trace_id, options, op.refresh, ctx.threads);
  },
};

export async function sweepCommand(argv: string[]): Promise<void> {
  const prepared = sweepVerb.prepare(argv);
  const sweep = await runVerb(sweepVerb, argv, prepared);
  if (prepared.json) return printJson(sweep.points);
  process.stdout.write(`sweep of trace ${sweep.trace_id} (${sweep.groups} groups, trace has ${sweep.trace_pasids} PASIDs) in ${sweep.seconds.toFixed(1)} s${sweep.cached ? ' (cached)' : ''}\n${sweep.note}\n`);
  process.stdout.write('pasids    alloc   model        structure  visits mean/p99   ns mean/p99        device p99 (ns, mean of seeds)  drops  drain awake\n');
  for (const p of sweep.points) {
    process.stdout.write(
      `${String(p.pasids).padEnd(9)} ${p.allocation.padEnd(7)} ${p.model.padEnd(12)} ${p.structure.padEnd(10)} ` +
        `${(p.lookup.visits_mean ?? 0).toFixed(2).padStart(8)}/${String(p.lookup.visits_p99 ?? '-').padEnd(8)} ` +
        `${(p.lookup.ns_mean ?? 0).toFixed(1).padStart(8)}/${String(p.lookup.ns_p99 ?? '-').padEnd(9)} ` +
        `${String(Math.round(p.intervals.device_latency_ns.p99?.value ?? NaN)).padEnd(31)} ${String(Math.round(p.intervals.drops?.value ?? 0)).padEnd(6)} ${(p.drain_utilisation * 100).toFixed(1)}%${p.hypothetical ? '  (hypothetical)' : ''}\n`,
    );
  }
}
