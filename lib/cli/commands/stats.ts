// `pritrace stats TRACE [--db P] [--json]`: DESIGN §4a's figures for one trace.

import { withoutControls } from '../../core/errors.ts';
import { formatDurationNs } from '../../core/time.ts';
import { traceStats, type TraceStats } from '../../queries/trace-stats.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';

const USAGE = 'pritrace stats TRACE [--db PATH] [--json]';

export const statsVerb: DbVerb<string, TraceStats> = {
  name: 'stats',
  prepare(argv) {
    const { values, positionals } = parse(argv, {}, USAGE);
    return { op: positional(positionals, 'TRACE (id or name)', USAGE), db: values.db, json: values.json };
  },
  execute: async (db, ref) => traceStats(db, (await resolveTrace(db, ref)).trace_id),
};

export async function statsCommand(argv: string[]): Promise<void> {
  const prepared = statsVerb.prepare(argv);
  const stats = await runVerb(statsVerb, argv, prepared);
  if (prepared.json) return printJson(stats);
  const l = stats.latency_ns;
  const d = (v: number | null) => (v === null ? '-' : formatDurationNs(v));
  process.stdout.write(
    [
      `trace ${stats.trace_id} "${withoutControls(stats.name)}" (${stats.format})`,
      `events: ${stats.events.page_requests} requests, ${stats.events.page_responses} responses, ${stats.events.unrecoverable_faults} unrecoverable, ${stats.events.context} context, ${stats.events.other} other, ${stats.events.lost_events} lost (${stats.events.lost_markers} markers), ${stats.events.bad_lines} bad lines`,
      `groups: ${stats.groups.total} (${stats.groups.answered} answered, ${stats.groups.unanswered} unanswered, ${stats.groups.incomplete} incomplete, ${stats.groups.orphan_responses} orphan responses, ${stats.groups.stop_markers} stop markers)`,
      `latency: p50 ${d(l.p50)}  p90 ${d(l.p90)}  p99 ${d(l.p99)}  p99.9 ${d(l.p999)}  max ${d(l.max)}  mean ${d(l.mean)}`,
      `codes: ${stats.codes.success} success, ${stats.codes.invalid} invalid, ${stats.codes.failure} failure`,
      `devices: ${stats.devices}  pasids: ${stats.pasids}`,
    ].join('\n') + '\n',
  );
}
