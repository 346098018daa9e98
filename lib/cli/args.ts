// Argument parsing shared by every command: node's parseArgs with the common flags
// (--db, --json) and a CliError for anything unknown, so each command only names its own.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from '../core/errors.ts';

export const COMMON_OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/**
 * `--help` / `-h` on a verb: thrown by parse before the command checks anything else (so a
 * verb with required options still answers it); main prints the usage and exits 0.
 */
export class HelpRequested {
  constructor(readonly usage: string) {}
}

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    // A help flag beside a mistake still gets the help.
    if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(usage);
    throw new CliError(`${(e as Error).message.split('\n')[0]}\nusage: ${usage}`, 2, { cause: e });
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested(usage);
  return parsed;
}

/** The one positional a command requires. */
export function positional(positionals: string[], what: string, usage: string): string {
  const v = positionals[0];
  if (!v) throw new CliError(`missing ${what}\nusage: ${usage}`, 2);
  if (positionals.length > 1) throw new CliError(`unexpected argument ${JSON.stringify(positionals[1])}\nusage: ${usage}`, 2);
  return v;
}

/** Prints exactly one JSON document; bigint becomes a number when exact, else a string. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, bigintReplacer, 2)}\n`);
}

/** JSON.stringify's replacer for DuckDB's bigints: a number when exact, else its decimal string. */
export function bigintReplacer(_key: string, v: unknown): unknown {
  if (typeof v !== 'bigint') return v;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}
