// `pritrace fleet [--lake DIR] [--json]`: per-host traces, answered groups, p50 and p99 over a
// Parquet lake, slowest hosts first — the figures of the dashboard's /fleet page.

import { CliError } from '../../core/errors.ts';
import { formatDurationNs } from '../../core/time.ts';
import { closeDbInstance, LAKE_DB_PREFIX, openDb } from '../../db/instance.ts';
import { lakeDir } from '../../db/lake/config.ts';
import { fleetHosts } from '../../queries/fleet.ts';
import { parse, printJson } from '../args.ts';

const USAGE = 'pritrace fleet [--lake DIR] [--json]';

export async function fleetCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { lake: { type: 'string' } }, USAGE);
  if (positionals.length > 0) throw new CliError(`unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${USAGE}`, 2);
  const lake = values.lake ?? lakeDir();
  if (!lake) throw new CliError(`no lake: give --lake DIR or set PRITRACE_LAKE\nusage: ${USAGE}`, 2);
  const dbPath = `${LAKE_DB_PREFIX}${lake}`;
  const db = await openDb(dbPath);
  let hosts;
  try {
    hosts = await fleetHosts(db);
  } finally {
    db.close();
    await closeDbInstance(dbPath);
  }
  if (values.json) return printJson({ lake, hosts });
  if (hosts.length === 0) return void process.stdout.write(`no traces published to ${lake} yet: pritrace publish TRACE --lake ${lake}\n`);
  const d = (v: number | null) => (v === null ? '-' : formatDurationNs(v));
  const rows = hosts.map((h) => [h.host, String(h.traces), String(h.groups), d(h.p50), d(h.p99)]);
  const header = ['host', 'traces', 'groups', 'p50', 'p99'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
}
