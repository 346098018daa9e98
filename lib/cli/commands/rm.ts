// `pritrace rm TRACE [--db P] [--json]`: deletes a trace and every row stored with it (events,
// fault groups, replay runs and results, sweeps, annotations, saved views) in one transaction.

import { deleteTrace, type DeletedTrace } from '../../db/trace-admin.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';

const USAGE = 'pritrace rm TRACE [--db PATH] [--json]';

export const rmVerb: DbVerb<string, DeletedTrace> = {
  name: 'rm',
  prepare(argv) {
    const { values, positionals } = parse(argv, {}, USAGE);
    return { op: positional(positionals, 'TRACE (id or name)', USAGE), db: values.db, json: values.json };
  },
  execute: async (db, ref) => deleteTrace(db, (await resolveTrace(db, ref)).trace_id),
};

export async function rmCommand(argv: string[]): Promise<void> {
  const prepared = rmVerb.prepare(argv);
  const deleted = await runVerb(rmVerb, argv, prepared);
  if (prepared.json) return printJson(deleted);
  const rows = Object.entries(deleted.removed)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  process.stdout.write(`deleted trace ${deleted.trace_id} ${JSON.stringify(deleted.name)}: ${rows}\n`);
}
