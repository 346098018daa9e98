// The `pritrace` command line: dispatches a verb to its command module and maps every error
// to one line on stderr and a non-zero exit (2 usage, 3 database busy, 4 not found, 1 other).

import { HelpRequested } from './args.ts';
import { describeError } from './describe-error.ts';
import { ingestCommand } from './commands/ingest.ts';
import { listCommand } from './commands/list.ts';
import { renameCommand } from './commands/rename.ts';
import { replayCommand } from './commands/replay.ts';
import { rmCommand } from './commands/rm.ts';
import { simulateCommand } from './commands/simulate.ts';
import { statsCommand } from './commands/stats.ts';
import { sweepCommand } from './commands/sweep.ts';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; help: string }> = {
  ingest: { run: ingestCommand, help: 'ingest FILE [--name N]     store a trace (ftrace text, trace-cmd report, sim CSV/JSONL, .gz)' },
  list: { run: listCommand, help: 'list                       traces in the database' },
  stats: { run: statsCommand, help: 'stats TRACE                counts, groups and latency percentiles of a trace' },
  replay: { run: replayCommand, help: 'replay TRACE --model M     replay the requests through per-device or domain-wide handling' },
  whatif: {
    run: async (argv) => (await import('./commands/whatif.ts')).whatifCommand(argv),
    help: 'whatif TRACE [--a M@ERA]    two designs/eras over K seeds: differences with intervals and a verdict',
  },
  sensitivity: {
    run: async (argv) => (await import('./commands/sensitivity.ts')).sensitivityCommand(argv),
    help: 'sensitivity TRACE          each parameter halved and doubled: which one drives device-side p50/p99',
  },
  sweep: { run: sweepCommand, help: 'sweep TRACE                device wait, drops, drain load vs live PASIDs (--axis: in-flight groups, devices per PASID)' },
  simulate: { run: simulateCommand, help: 'simulate --out FILE        generate PRI traffic (.csv, .jsonl, .trace)' },
  report: {
    run: async (argv) => (await import('./commands/report.ts')).reportCommand(argv),
    help: 'report TRACE --format F    postmortem as md or html: figures, charts, annotations, replay comparison',
  },
  export: {
    run: async (argv) => (await import('./commands/export.ts')).exportCommand(argv),
    help: 'export TRACE --format F    fault groups CSV, Chrome JSON for Perfetto (--run N: a replay run), chart CSV',
  },
  publish: {
    run: async (argv) => (await import('./commands/publish.ts')).publishCommand(argv),
    help: 'publish TRACE --lake DIR   write a trace into a Parquet lake (atomic; again replaces it)',
  },
  fleet: {
    run: async (argv) => (await import('./commands/fleet.ts')).fleetCommand(argv),
    help: 'fleet --lake DIR           per-host p50/p99 over a Parquet lake, slowest first',
  },
  rename: { run: renameCommand, help: 'rename TRACE NEWNAME       give a trace a new (unique) name' },
  rm: { run: rmCommand, help: 'rm TRACE                   delete a trace and everything stored with it (runs, sweeps, notes, views)' },
};

const COMMON_HELP = [
  'common options:',
  '  --db PATH   the database file (default: $PRITRACE_DB, else data/pritrace.duckdb)',
  '  --json      print exactly one JSON document on stdout',
  '  -h, --help  this help',
  'exit codes: 0 ok, 2 usage, 3 database busy, 4 not found, 1 other',
].join('\n');

function usage(): string {
  return ['usage: pritrace <command> [options]   (every command takes --db PATH and --json)', ...Object.values(COMMANDS).map((c) => `  ${c.help}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(`${usage()}\n`);
    return verb ? 0 : 2;
  }
  const cmd = COMMANDS[verb];
  if (!cmd) {
    process.stderr.write(`pritrace: unknown command ${JSON.stringify(verb)}\n${usage()}\n`);
    return 2;
  }
  try {
    await cmd.run(rest);
    return 0;
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(`${verb}: ${cmd.help.replace(/^\S+(\s+\S+)*?\s{2,}/, '')}\nusage: ${e.usage}\n${COMMON_HELP}\n`);
      return 0;
    }
    return reportError(e);
  }
}

function reportError(e: unknown): number {
  const { message, code } = describeError(e);
  process.stderr.write(`pritrace: ${message}\n`);
  return code;
}

/**
 * `pritrace sweep … | head`: once the reader has closed the pipe nothing more can be said, and
 * the reader asked for no more, so the CLI ends quietly with 0 instead of dying on an
 * unhandled EPIPE with a stack trace. Whatever the verb saved is committed before it prints.
 */
function endQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  endQuietlyWhenStdoutCloses();
  process.exitCode = await main(process.argv.slice(2));
}
