// The CLI's side of a command handed to the dashboard server (POST /api/cli): the verb's
// arguments go up, the answer comes back as JSON lines — {"chunk": text} for output a report or
// export writes, then {"result": …} or {"error": message, "exit": code} — so a long export
// streams into the CLI's file while the server reads it, and an error exits like it would here.

import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { CliError } from '../core/errors.ts';
import type { Emit } from '../postmortem/paged-rows.ts';

/** Options naming a folder, made absolute here: the server's working directory is not ours. */
const PATH_OPTIONS = ['--lake'];

export function absolutePaths(argv: readonly string[]): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    const a = out[i]!;
    for (const opt of PATH_OPTIONS) {
      if (a === opt && i + 1 < out.length) out[i + 1] = path.resolve(out[i + 1]!);
      else if (a.startsWith(`${opt}=`)) out[i] = `${opt}=${path.resolve(a.slice(opt.length + 1))}`;
    }
  }
  return out;
}

export type Frame = { chunk: string } | { result: unknown } | { error: string; exit: number };

export async function askServer(url: string, verb: string, argv: readonly string[], emit: Emit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL('/api/cli', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verb, argv: absolutePaths(argv) }),
    });
  } catch (e) {
    throw new CliError(`the database is held by the PRI Trace Lab server at ${url}, which does not answer: ${(e as Error).message}`, 3, { cause: e });
  }
  if (!res.ok || !res.body) {
    const payload = (await res.json().catch(() => ({}))) as { error?: string };
    throw new CliError(`the server at ${url} refused the command: ${payload.error ?? `HTTP ${res.status}`}`, 3);
  }
  const lines = createInterface({ input: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const frame = JSON.parse(line) as Frame;
    if ('chunk' in frame) await emit(frame.chunk);
    else if ('result' in frame) return frame.result;
    else throw new CliError(frame.error, frame.exit);
  }
  throw new CliError(`the server at ${url} stopped answering before the command finished`, 3);
}
