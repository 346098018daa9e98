// `pritrace ingest FILE [--name N] [--db P] [--json]`: one file, one transaction. When the
// dashboard server holds the database, the file is streamed to its upload endpoint instead.

import fs from 'node:fs';
import path from 'node:path';
import { CliError, DatabaseBusyError, withoutControls } from '../../core/errors.ts';
import { ingestFile, type IngestProgress } from '../../services/ingest.ts';
import { publishAfterIngest, type PublishedIngest } from '../../services/lake-auto-publish.ts';
import { resolveDbPath } from '../../db/path.ts';
import { findServer } from '../../services/server-handoff.ts';
import { parse, positional, printJson } from '../args.ts';
import { withDatabase } from '../database.ts';

const USAGE = 'pritrace ingest FILE [--name NAME] [--db PATH] [--json]';

/**
 * DuckDB's buffer pool for a CLI ingest, the process's only work: the stage and the store
 * spill beyond it. Pairing no longer sorts in DuckDB (trace/pairing.ts), which is what needed
 * 128MB: peak RSS on the 683 MB bench file (2026-12-07) 565 MiB at 96MB, where 128MB had given
 * 548 with the old pairing and 620-630 with the new one (its event arrays are held while the
 * decode runs); 64MB ran out of memory. With the tighter page event collector and walk, 505-517
 * MiB at 96MB, and 547 MiB for a 1 GB trace. The INSERT from the stage into events needs
 * 64-80MB on two threads; with the stage staged in one transaction that need no longer grows
 * with the trace (a 3.4 GB one passes at 80MB; it failed ~1 in 10 at 96MB before): 18 of 18
 * CLI ingests of it at 96MB, peak RSS 457-494 MiB. PRITRACE_DUCKDB_MEMORY still overrides.
 */
const CLI_INGEST_MEMORY = '96MB';

export async function ingestCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { name: { type: 'string' } }, USAGE);
  const file = positional(positionals, 'FILE', USAGE);
  if (!fs.existsSync(file)) throw new CliError(`${withoutControls(file)}: no such file`);
  const progress = values.json || !process.stderr.isTTY ? undefined : progressPrinter(path.basename(file));

  let result: PublishedIngest;
  try {
    result = await withDatabase(values.db, async (db) => publishAfterIngest(db, await ingestFile(db, { file, name: values.name, onProgress: progress })), {
      memoryDefault: CLI_INGEST_MEMORY,
    });
  } catch (e) {
    if (!(e instanceof DatabaseBusyError)) throw e;
    const server = findServer(resolveDbPath(values.db));
    if (!server) throw new CliError(`${e.message}; no running PRI Trace Lab server recorded for it, so the ingest cannot be handed over`, 3, { cause: e });
    result = await handToServer(server.url, file, values.name);
  }
  if (progress) process.stderr.write('\n');
  if (values.json) printJson(result);
  else {
    process.stdout.write(
      `trace ${result.trace_id} "${result.name}" (${result.format}): ${result.events} events, ${result.groups.total} groups ` +
        `(${result.groups.answered} answered, ${result.groups.unanswered} unanswered, ${result.groups.orphan_responses} orphan responses), ` +
        `${result.bad_lines} bad lines, ${result.seconds.toFixed(2)} s\n`,
    );
    for (const w of result.warnings) process.stdout.write(`  warning: ${w}\n`);
    if (result.lake && 'trace' in result.lake)
      process.stdout.write(`  published to the lake as trace ${result.lake.trace} (host=${result.lake.host}, date=${result.lake.date})\n`);
  }
}

async function handToServer(url: string, file: string, name: string | undefined): Promise<PublishedIngest> {
  const target = new URL('/api/traces', url);
  target.searchParams.set('filename', path.basename(file));
  if (name) target.searchParams.set('name', name);
  const body = fs.createReadStream(file);
  const res = await fetch(target, {
    method: 'POST',
    body: body as unknown as ReadableStream,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(fs.statSync(file).size) },
    duplex: 'half',
  } as RequestInit);
  const payload = (await res.json().catch(() => ({}))) as { error?: string } & Partial<PublishedIngest>;
  if (!res.ok) throw new CliError(payload.error ?? `server answered ${res.status}`, res.status === 422 ? 1 : 3);
  return payload as PublishedIngest;
}

function progressPrinter(label: string) {
  return (p: IngestProgress) => {
    const pct = p.fraction === undefined ? '' : ` ${(p.fraction * 100).toFixed(0)}%`;
    process.stderr.write(`\r${label}: ${p.phase}${pct}            `);
  };
}
