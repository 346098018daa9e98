// `pritrace rename TRACE NEWNAME [--db P] [--json]`: gives a trace a new name (unique, 1–200
// characters, not only digits so it never reads as an id).

import { CliError } from '../../core/errors.ts';
import { TraceNameError, renameTrace } from '../../db/trace-admin.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, printJson } from '../args.ts';
import { withDatabase } from '../database.ts';

const USAGE = 'pritrace rename TRACE NEWNAME [--db PATH] [--json]';

export async function renameCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {}, USAGE);
  if (positionals.length !== 2) throw new CliError(`expected TRACE and NEWNAME, got ${positionals.length} argument(s)\nusage: ${USAGE}`, 2);
  const [ref, newName] = positionals as [string, string];
  const renamed = await withDatabase(values.db, async (db) => {
    try {
      return await renameTrace(db, (await resolveTrace(db, ref)).trace_id, newName);
    } catch (e) {
      if (e instanceof TraceNameError) throw new CliError(e.message, e.taken ? 1 : 2, { cause: e });
      throw e;
    }
  });
  if (values.json) return printJson(renamed);
  process.stdout.write(`trace ${renamed.trace_id}: ${JSON.stringify(renamed.old_name)} → ${JSON.stringify(renamed.name)}\n`);
}
