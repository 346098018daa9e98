// `pritrace rename TRACE NEWNAME [--db P] [--json]`: gives a trace a new name (unique, 1–200
// characters, not only digits so it never reads as an id).

import { CliError } from '../../core/errors.ts';
import { renameTrace, type RenamedTrace } from '../../db/trace-admin.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';

const USAGE = 'pritrace rename TRACE NEWNAME [--db PATH] [--json]';

export const renameVerb: DbVerb<{ ref: string; newName: string }, RenamedTrace> = {
  name: 'rename',
  prepare(argv) {
    const { values, positionals } = parse(argv, {}, USAGE);
    if (positionals.length !== 2) throw new CliError(`expected TRACE and NEWNAME, got ${positionals.length} argument(s)\nusage: ${USAGE}`, 2);
    const [ref, newName] = positionals as [string, string];
    return { op: { ref, newName }, db: values.db, json: values.json };
  },
  async execute(db, { ref, newName }) {
    return renameTrace(db, (await resolveTrace(db, ref)).trace_id, newName);
  },
};

export async function renameCommand(argv: string[]): Promise<void> {
  const prepared = renameVerb.prepare(argv);
  const renamed = await runVerb(renameVerb, argv, prepared);
  if (prepared.json) return printJson(renamed);
  process.stdout.write(`trace ${renamed.trace_id}: ${JSON.stringify(renamed.old_name)} → ${JSON.stringify(renamed.name)}\n`);
}
