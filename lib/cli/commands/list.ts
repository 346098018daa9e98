// `pritrace list [--db P] [--json]`: the traces in the database with their headline figures.

import { withoutControls } from '../../core/errors.ts';
import { formatDurationNs } from '../../core/time.ts';
import { listTraces, type TraceSummary } from '../../queries/traces.ts';
import { parse, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';

const USAGE = 'pritrace list [--db PATH] [--json]';

export const listVerb: DbVerb<null, TraceSummary[]> = {
  name: 'list',
  prepare(argv) {
    const { values } = parse(argv, {}, USAGE);
    return { op: null, db: values.db, json: values.json };
  },
  execute: (db) => listTraces(db),
};

export async function listCommand(argv: string[]): Promise<void> {
  const prepared = listVerb.prepare(argv);
  const traces = await runVerb(listVerb, argv, prepared);
  if (prepared.json) return printJson(traces);
  if (traces.length === 0) {
    process.stdout.write('no traces yet: pritrace ingest FILE\n');
    return;
  }
  const rows = traces.map((t) => [
    String(t.trace_id),
    withoutControls(t.name),
    t.format,
    String(t.events),
    String(t.groups),
    t.span_ns === null ? '-' : formatDurationNs(t.span_ns),
    t.p99_ns === null ? '-' : formatDurationNs(t.p99_ns),
  ]);
  const header = ['id', 'name', 'format', 'events', 'groups', 'span', 'p99'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
}
