// `pritrace publish TRACE [--lake DIR] [--host H] [--kernel K] [--date YYYY-MM-DD]`: writes a
// trace of the database into a Parquet lake (docs/lake.md), atomically; again replaces it.

import path from 'node:path';
import { CliError, printable } from '../../core/errors.ts';
import { lakeDir } from '../../db/lake/config.ts';
import { publishTrace, type PublishResult } from '../../db/lake/publish.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';

const USAGE = 'pritrace publish TRACE [--lake DIR] [--host HOST] [--kernel VERSION] [--date YYYY-MM-DD] [--db PATH] [--json]';

interface PublishOp {
  ref: string;
  lake: string;
  host: string | undefined;
  kernel: string | undefined;
  date: string | undefined;
}

export const publishVerb: DbVerb<PublishOp, PublishResult> = {
  name: 'publish',
  prepare(argv) {
    const { values, positionals } = parse(
      argv,
      { lake: { type: 'string' }, host: { type: 'string' }, kernel: { type: 'string' }, date: { type: 'string' } },
      USAGE,
    );
    const ref = positional(positionals, 'TRACE (id or name)', USAGE);
    const lake = values.lake ?? lakeDir();
    if (!lake) throw new CliError(`no lake: give --lake DIR or set PRITRACE_LAKE\nusage: ${USAGE}`, 2);
    if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) throw new CliError(`--date ${printable(values.date)}: expected YYYY-MM-DD`, 2);
    return { op: { ref, lake, host: values.host, kernel: values.kernel, date: values.date }, db: values.db, json: values.json };
  },
  async execute(db, op, ctx) {
    // The server writes only into the lake it was started with: its DuckDB may read and write
    // no other folder (lib/db/instance.ts restrictFileAccess), and a request must not pick one.
    const own = lakeDir();
    if (ctx.onServer && (own === null || path.resolve(op.lake) !== own)) {
      throw new CliError(
        `the dashboard server holding the database publishes only into its own lake (${own ?? 'none: PRITRACE_LAKE unset'}), not ${printable(op.lake)}; stop the server or publish into its lake`,
        3,
      );
    }
    return publishTrace(db, (await resolveTrace(db, op.ref)).trace_id, { lake: op.lake, host: op.host, kernel: op.kernel, date: op.date });
  },
};

export async function publishCommand(argv: string[]): Promise<void> {
  const prepared = publishVerb.prepare(argv);
  const result = await runVerb(publishVerb, argv, prepared);
  if (prepared.json) return printJson(result);
  const rows = Object.entries(result.rows)
    .map(([d, n]) => `${n} ${d}`)
    .join(', ');
  process.stdout.write(
    `${result.replaced ? 'republished' : 'published'} as lake trace ${result.trace} (host=${result.host}, date=${result.date}, kernel ${result.kernel ?? 'unknown'}): ${rows}; ${(result.bytes / 1e6).toFixed(2)} MB\n`,
  );
  if (result.host === 'unknown') process.stdout.write('  note: the trace names no host; give --host to place it\n');
}
