// `pritrace publish TRACE [--lake DIR] [--host H] [--kernel K] [--date YYYY-MM-DD]`: writes a
// trace of the database into a Parquet lake (docs/lake.md), atomically; again replaces it.

import { CliError, printable } from '../../core/errors.ts';
import { lakeDir } from '../../db/lake/config.ts';
import { publishTrace } from '../../db/lake/publish.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, positional, printJson } from '../args.ts';
import { withDatabase } from '../database.ts';

const USAGE = 'pritrace publish TRACE [--lake DIR] [--host HOST] [--kernel VERSION] [--date YYYY-MM-DD] [--db PATH] [--json]';

export async function publishCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    { lake: { type: 'string' }, host: { type: 'string' }, kernel: { type: 'string' }, date: { type: 'string' } },
    USAGE,
  );
  const ref = positional(positionals, 'TRACE (id or name)', USAGE);
  const lake = values.lake ?? lakeDir();
  if (!lake) throw new CliError(`no lake: give --lake DIR or set PRITRACE_LAKE\nusage: ${USAGE}`, 2);
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) throw new CliError(`--date ${printable(values.date)}: expected YYYY-MM-DD`, 2);
  const result = await withDatabase(values.db, async (db) =>
    publishTrace(db, (await resolveTrace(db, ref)).trace_id, { lake, host: values.host, kernel: values.kernel, date: values.date }),
  );
  if (values.json) return printJson(result);
  const rows = Object.entries(result.rows).map(([d, n]) => `${n} ${d}`).join(', ');
  process.stdout.write(
    `${result.replaced ? 'republished' : 'published'} as lake trace ${result.trace} (host=${result.host}, date=${result.date}, kernel ${result.kernel ?? 'unknown'}): ${rows}; ${(result.bytes / 1e6).toFixed(2)} MB\n`,
  );
  if (result.host === 'unknown') process.stdout.write('  note: the trace names no host; give --host to place it\n');
}
