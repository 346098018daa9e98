// `pritrace sweep TRACE [--axis pasids|outstanding|sharing] [--seed S] [--max-groups N]
// [--refresh] [--json]`: what the device waits, drops and drain load vs the number of live
// PASIDs (1 … 2^20, dense and sparse; the default), the groups in flight per device, or the
// devices sharing one PASID (lib/replay/sweep-axes.ts), per model and structure. Results are
// cached per trace, axis and options; --refresh recomputes.

import type { TraceAxisSweep, TraceSweep } from '../../queries/sweep-cache.ts';
import { tracePosition, type TracePosition } from '../../queries/trace-position.ts';
import { axisSweepForTrace, sweepForTrace } from '../../services/sweeps.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { SWEEP_AXES, type SweepAxis } from '../../replay/sweep-axes.ts';
import { CliError } from '../../core/errors.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';
import { parseSeed } from './replay.ts';

const USAGE = 'pritrace sweep TRACE [--axis pasids|outstanding|sharing] [--seed S] [--max-groups N] [--refresh] [--db PATH] [--json]';

/** An axis sweep with where the trace itself sits, measured from its recording. */
export type TraceAxisSweepReport = TraceAxisSweep & { trace_position: TracePosition };

interface SweepOp {
  ref: string;
  axis: SweepAxis;
  seed: number;
  maxGroupsPerPoint: number | undefined;
  refresh: boolean;
}

export const sweepVerb: DbVerb<SweepOp, TraceSweep | TraceAxisSweepReport> = {
  name: 'sweep',
  prepare(argv) {
    const { values, positionals } = parse(
      argv,
      { axis: { type: 'string' }, seed: { type: 'string' }, 'max-groups': { type: 'string' }, refresh: { type: 'boolean', default: false } },
      USAGE,
    );
    const ref = positional(positionals, 'TRACE (id or name)', USAGE);
    const axis = values.axis ?? 'pasids';
    if (!(SWEEP_AXES as readonly string[]).includes(axis)) {
      throw new CliError(`--axis must be one of ${SWEEP_AXES.join(', ')}, got ${JSON.stringify(axis)}\nusage: ${USAGE}`, 2);
    }
    const maxText = values['max-groups'];
    if (maxText !== undefined && !/^\d+$/.test(maxText)) throw new CliError(`--max-groups must be a positive integer, got ${JSON.stringify(maxText)}`, 2);
    return {
      op: {
        ref,
        axis: axis as SweepAxis,
        seed: parseSeed(values.seed) ?? 1,
        maxGroupsPerPoint: maxText ? Number(maxText) : undefined,
        refresh: values.refresh,
      },
      db: values.db,
      json: values.json,
    };
  },
  async execute(db, op, ctx) {
    const trace = await resolveTrace(db, op.ref);
    const options = { seed: op.seed, ...(op.maxGroupsPerPoint !== undefined ? { maxGroupsPerPoint: op.maxGroupsPerPoint } : {}) };
    if (op.axis === 'pasids') return sweepForTrace(db, trace.trace_id, options, op.refresh, ctx.threads);
    const sweep = await axisSweepForTrace(db, trace.trace_id, { axis: op.axis, ...options }, op.refresh, ctx.threads);
    return { ...sweep, trace_position: await tracePosition(db, trace.trace_id) };
  },
};

export async function sweepCommand(argv: string[]): Promise<void> {
  const prepared = sweepVerb.prepare(argv);
  const sweep = await runVerb(sweepVerb, argv, prepared);
  if ('axis' in sweep) return printAxisSweep(sweep, prepared.json);
  if (prepared.json) return printJson(sweep.points);
  process.stdout.write(
    `sweep of trace ${sweep.trace_id} (${sweep.groups} groups, trace has ${sweep.trace_pasids} PASIDs) in ${sweep.seconds.toFixed(1)} s${sweep.cached ? ' (cached)' : ''}\n${sweep.note}\n`,
  );
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

function printAxisSweep(sweep: TraceAxisSweepReport, json: boolean): void {
  const { trace_position: pos } = sweep;
  if (json) {
    const { axis, method, note, seeds, groups, seconds, cached, trace_id, points } = sweep;
    return printJson({ trace_id, axis, method, note, seeds, groups, trace_position: pos, seconds, cached, points });
  }
  const fmt = (v: number | null | undefined, digits: number) => (v === null || v === undefined ? '-' : v.toFixed(digits));
  const trace =
    sweep.axis === 'outstanding'
      ? `trace has ${fmt(pos.outstanding_per_device, 3)} groups in flight per device (recorded)`
      : `trace has ${fmt(pos.devices_per_pasid, 2)} devices per PASID (recorded)`;
  process.stdout.write(
    `${sweep.axis} sweep of trace ${sweep.trace_id} (${sweep.groups} groups, ${trace}) in ${sweep.seconds.toFixed(1)} s${sweep.cached ? ' (cached)' : ''}\n${sweep.method}\n${sweep.note}\n`,
  );
  const knob = sweep.axis === 'outstanding' ? 'dev/recorded' : 'dev/IOMMU';
  process.stdout.write(
    `${knob.padEnd(12)} devices  in flight/dev  dev/PASID  model        structure  device p50 / p99 (ns, mean of seeds)  drops  drain awake\n`,
  );
  for (const p of sweep.points) {
    const iv = p.intervals;
    process.stdout.write(
      `${(p.knob < 1 ? `1/${Math.round(1 / p.knob)}` : String(p.knob)).padEnd(12)} ${String(p.devices).padEnd(8)} ${fmt(p.outstanding_per_device?.value, 3).padEnd(13)} ` +
        `${fmt(p.devices_per_pasid, 2).padEnd(10)} ${p.model.padEnd(12)} ${p.structure.padEnd(10)} ` +
        `${`${Math.round(iv.device_latency_ns.p50?.value ?? NaN)} / ${Math.round(iv.device_latency_ns.p99?.value ?? NaN)}`.padEnd(37)} ` +
        `${String(Math.round(iv.drops?.value ?? 0)).padEnd(6)} ${(p.drain_utilisation * 100).toFixed(1)}%${p.hypothetical ? '  (hypothetical)' : ''}\n`,
    );
  }
}
