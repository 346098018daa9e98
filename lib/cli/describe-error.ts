// The one place a CLI failure becomes its stderr line and exit code (2 usage, 3 database busy,
// 4 not found, 1 other); app/api/_http.ts is its HTTP twin, both over lib/core/errors.ts. The server uses it too for a command handed over to it, so the CLI
// beside a running dashboard fails with the same words and code as it would on its own.

import {
  CliError,
  DatabaseBusyError,
  NotFoundError,
  QueryError,
  ReplayConfigError,
  TraceNameError,
  TraceParseError,
  TraceRejectedError,
} from '../core/errors.ts';
import { HelpRequested } from './args.ts';

export interface DescribedError {
  message: string;
  code: number;
  /** False for errors nobody foresaw: the server logs those with their stack. */
  expected: boolean;
}

export function describeError(e: unknown): DescribedError {
  if (e instanceof CliError) return { message: e.message, code: e.exitCode, expected: true };
  if (e instanceof HelpRequested) return { message: `usage: ${e.usage}`, code: 2, expected: true };
  if (e instanceof ReplayConfigError) {
    // A bad parameter, option or seed is a usage error; an input the replay cannot take
    // (parameter 'input': the stored trace's data) is not.
    return { message: e.message, code: e.parameter === 'input' ? 1 : 2, expected: true };
  }
  if (e instanceof TraceRejectedError || e instanceof TraceParseError) return { message: e.message, code: 1, expected: true };
  // A name that breaks a rule is a usage error; one another trace already has is not.
  if (e instanceof TraceNameError) return { message: e.message, code: e.taken ? 1 : 2, expected: true };
  if (e instanceof DatabaseBusyError) return { message: `${e.message}; try again when it is free`, code: 3, expected: true };
  if (e instanceof NotFoundError) return { message: e.message, code: 4, expected: true };
  if (e instanceof QueryError) return { message: `database error: ${e.message.split('\n')[0]}`, code: 1, expected: true };
  return { message: e instanceof Error ? e.message : String(e), code: 1, expected: false };
}
