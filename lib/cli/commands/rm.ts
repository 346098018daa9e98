// `pritrace rm TRACE [--db P] [--json]`: deletes a trace and every row stored with it (events,
// fault groups, replay runs and results, sweeps, annotations, saved views) in one transaction.

import { deleteTrace } from '../../db/trace-admin.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, positional, printJson } from '../args.ts';
import { withDatabase } from '../database.ts';

const USAGE = 'pritrace rm TRACE [--db PATH] [--json]';

export async function rmCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {}, USAGE);
  const ref = positional(positionals, 'TRACE (id or name)', USAGE);
  const deleted = await withDatabase(values.db, async (db) => deleteTrace(db, (await resolveTrace(db, ref)).trace_id));
  if (values.json) return printJson(deleted);
  const rows = Object.entries(deleted.removed)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  process.stdout.write(`deleted trace ${deleted.trace_id} ${JSON.stringify(deleted.name)}: ${rows}\n`);
}
