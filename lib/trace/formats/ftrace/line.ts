// The ftrace line prefix, shared by every text variant: the kernel `trace` / `trace_pipe`
// files (4- or 5-char irq flags or none, 5- or 7-wide pid, optional `(tgid)`) and
// `trace-cmd report` (`cpus=N` first, padded event names). The same pattern strings serve
// JavaScript detection and DuckDB's RE2 decoding, so they use only syntax both engines share.
// comm may hold spaces, dashes and slashes: the lazy comm plus `-(\d+)\s` splits at the
// last dash before the [cpu] column, as the kernel text requires.
// The pattern stops where the message starts and captures that head whole: the decoder cuts
// the message off by the head's length, which RE2 does ~20% faster than capturing the rest of
// the line; tgid and irq flags are matched but not captured (nothing stores them).

export const PREFIX_PATTERN =
  '^(\\s*(.+?)-([0-9]{1,10})\\s+(?:\\([\\s0-9-]{1,12}\\)\\s+)?\\[([0-9]{3,5})\\]\\s+(?:[dDbX.][NnpLlbB.][ZzHhs.][0-9a-f.][0-9a-f.]?\\s+)?([0-9]{1,9}\\.[0-9]{6,9}|[0-9]{1,18}):\\s+(\\w+):\\s*)';
export const PREFIX_CAPTURES = ['head', 'comm', 'pid', 'cpu', 'ts', 'event'] as const;

/** `CPU:N [LOST M EVENTS]` (trace file) and `CPU:N [M EVENTS DROPPED]` (trace-cmd). */
export const LOST_PATTERN = '^\\s*CPU:([0-9]{1,5}) \\[(?:LOST )?([0-9]{1,19}) EVENTS(?: DROPPED)?\\]';
export const LOST_CAPTURES = ['cpu', 'count'] as const;

/** Lines that carry no event: headers and comments, trace-cmd's `cpus=N`, `CPU N is empty`, blanks. */
export const SKIP_PATTERN = '^\\s*(?:#.*|cpus=[0-9]+|CPU [0-9]+ is empty|version = [0-9]+)?\\s*$';

const prefix = new RegExp(PREFIX_PATTERN);
const lost = new RegExp(LOST_PATTERN);
const skip = new RegExp(SKIP_PATTERN);

export type FtraceVariant = 'ftrace' | 'trace-cmd';

/**
 * Decides from the first lines whether a file is ftrace text, and which variant. Returns null
 * when fewer than half of the non-header lines look like ftrace events.
 */
export function detectFtrace(lines: readonly string[]): FtraceVariant | null {
  let events = 0;
  let others = 0;
  let traceCmd = false;
  let seenContent = false;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (!seenContent && /^cpus=\d+\s*$/.test(line)) traceCmd = true;
    if (skip.test(line)) continue;
    seenContent = true;
    if (prefix.test(line)) events++;
    else if (!lost.test(line)) others++;
  }
  if (events === 0 || events < others) return null;
  return traceCmd ? 'trace-cmd' : 'ftrace';
}
