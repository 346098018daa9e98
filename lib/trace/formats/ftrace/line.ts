// The ftrace line prefix, shared by every text variant: the kernel `trace` / `trace_pipe`
// files (4- or 5-char irq flags or none, 5- or 7-wide pid, optional `(tgid)`) and
// `trace-cmd report` (`cpus=N` first, padded event names). Parsed by hand, in time linear in
// the line: the regex it replaces (`^\s*(.+?)-(\d{1,10})\s+…`) backtracked quadratically over
// leading whitespace (65 000 spaces took seconds). The grammar, unchanged:
//   ws* comm '-' pid{1,10} ws+ ['(' [ws 0-9 -]{1,12} ')' ws+] '[' cpu{3,5} ']' ws+
//   [flags{4,5} ws+] (sec{1,9} '.' frac{6,9} | count{1,18}) ':' ws+ event{\w+} ':' ws*
// comm may hold spaces, dashes and slashes: it ends at the first `-pid` whose rest parses,
// which is the last dash before the [cpu] column, as the kernel text requires.
// Works on text where one char is one byte (latin1); ws is tab, LF, FF, CR, space.

/** Where the parts of a parsed prefix are, as offsets into the text. */
export class Prefix {
  commStart = 0;
  commEnd = 0;
  pid = 0;
  cpu = 0;
  tsStart = 0;
  tsEnd = 0;
  eventStart = 0;
  eventEnd = 0;
  /** End of the prefix: where the message starts. */
  head = 0;
}

const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const FLAG1 = new Set('dDbX.'.split('').map((c) => c.charCodeAt(0)));
const FLAG2 = new Set('NnpLlbB.'.split('').map((c) => c.charCodeAt(0)));
const FLAG3 = new Set('ZzHhs.'.split('').map((c) => c.charCodeAt(0)));
const isFlag45 = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || c === 46;

function digitsEnd(s: string, i: number, end: number): number {
  while (i < end && isDigit(s.charCodeAt(i))) i++;
  return i;
}

/** The value of the decimal digits s[a, b) (at most 15, so exact): read in place, not sliced, as every line has several. */
export function digitsValue(s: string, a: number, b: number): number {
  let v = 0;
  for (let i = a; i < b; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

function wsEnd(s: string, i: number, end: number): number {
  while (i < end && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Parses the rest of the prefix from a '-' at dash; fills p (except comm) and returns true on a match. */
function tail(s: string, dash: number, end: number, p: Prefix): boolean {
  let i = dash + 1;
  const pidEnd = digitsEnd(s, i, end);
  if (pidEnd === i || pidEnd - i > 10) return false;
  const pidStart = i;
  i = wsEnd(s, pidEnd, end);
  if (i === pidEnd) return false;
  if (s.charCodeAt(i) === 40 /* ( */) {
    let j = i + 1;
    while (j < end && j - i - 1 <= 12) {
      const c = s.charCodeAt(j);
      if (!(isWs(c) || isDigit(c) || c === 45)) break;
      j++;
    }
    const n = j - i - 1;
    if (n < 1 || n > 12 || s.charCodeAt(j) !== 41 /* ) */) return false;
    const after = wsEnd(s, j + 1, end);
    if (after === j + 1) return false;
    i = after;
  }
  if (s.charCodeAt(i) !== 91 /* [ */) return false;
  const cpuEnd = digitsEnd(s, i + 1, end);
  const cpuLen = cpuEnd - i - 1;
  if (cpuLen < 3 || cpuLen > 5 || s.charCodeAt(cpuEnd) !== 93 /* ] */) return false;
  const cpuStart = i + 1;
  i = wsEnd(s, cpuEnd + 1, end);
  if (i === cpuEnd + 1) return false;
  if (FLAG1.has(s.charCodeAt(i))) {
    if (!(FLAG2.has(s.charCodeAt(i + 1)) && FLAG3.has(s.charCodeAt(i + 2)) && isFlag45(s.charCodeAt(i + 3)) && i + 3 < end)) return false;
    let j = i + 4;
    if (j < end && isFlag45(s.charCodeAt(j))) j++;
    const after = wsEnd(s, j, end);
    if (after === j) return false;
    i = after;
  }
  const tsStart = i;
  const intEnd = digitsEnd(s, i, end);
  const intLen = intEnd - i;
  let tsEnd: number;
  if (intLen >= 1 && intLen <= 9 && s.charCodeAt(intEnd) === 46 /* . */) {
    const fracEnd = digitsEnd(s, intEnd + 1, end);
    const fracLen = fracEnd - intEnd - 1;
    if (fracLen >= 6 && fracLen <= 9 && s.charCodeAt(fracEnd) === 58 /* : */) tsEnd = fracEnd;
    else return false;
  } else if (intLen >= 1 && intLen <= 18 && s.charCodeAt(intEnd) === 58) {
    tsEnd = intEnd;
  } else return false;
  i = wsEnd(s, tsEnd + 1, end);
  if (i === tsEnd + 1) return false;
  const evStart = i;
  while (i < end && isWord(s.charCodeAt(i))) i++;
  if (i === evStart || i >= end || s.charCodeAt(i) !== 58) return false;
  const pid = digitsValue(s, pidStart, pidEnd);
  p.pid = pid > 2147483647 ? -1 : pid;
  const cpu = digitsValue(s, cpuStart, cpuEnd);
  p.cpu = cpu > 32767 ? -1 : cpu;
  p.tsStart = tsStart;
  p.tsEnd = tsEnd;
  p.eventStart = evStart;
  p.eventEnd = i;
  p.head = wsEnd(s, i + 1, end);
  return true;
}

/**
 * Parses the prefix of the line s[start, end). Each dash is tried once, and what follows a
 * dash is read up to the next non-matching char, so the work is linear in the line length.
 * `trace-cmd report` of a file with instances starts each instance's lines with `name:` and
 * spaces, in column 0, where a comm never is (the kernel pads it to 16 columns): the instance
 * is not part of the task, as in the .dat it came from.
 */
export function parsePrefix(s: string, start: number, end: number, p: Prefix): boolean {
  const lead = wsEnd(s, start, end);
  if (lead === start) {
    const colon = instanceEnd(s, start, end);
    if (colon !== -1 && commAndTail(s, start, wsEnd(s, colon + 1, end), end, p)) return true;
  }
  return commAndTail(s, start, lead, end, p);
}

/** The colon ending a leading `name:` followed by whitespace, or -1. */
function instanceEnd(s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (isWs(c)) return -1;
    if (c === 58 /* : */) return i > start && i + 1 < end && isWs(s.charCodeAt(i + 1)) ? i : -1;
  }
  return -1;
}

function commAndTail(s: string, start: number, lead: number, end: number, p: Prefix): boolean {
  // comm is at least one char: the first candidate dash is after the first non-space char
  // A loop, not s.indexOf: s may be a whole region of lines, and a line without a dash would
  // send every search on to the next dash in the region.
  for (let d = lead + 1; d < end; d++) {
    if (s.charCodeAt(d) === 45 /* - */ && tail(s, d, end, p)) {
      p.commStart = lead;
      p.commEnd = d;
      return true;
    }
  }
  // The regex's \s* could give back one char of leading space to a comm before a leading dash.
  if (lead > start && lead < end && s.charCodeAt(lead) === 45 && tail(s, lead, end, p)) {
    p.commStart = lead - 1;
    p.commEnd = lead;
    return true;
  }
  return false;
}

/** `CPU:N [LOST M EVENTS]` (trace file) and `CPU:N [M EVENTS DROPPED]` (trace-cmd), after leading ws. */
const LOST = /^CPU:([0-9]{1,5}) \[(?:LOST )?([0-9]{1,19}) EVENTS(?: DROPPED)?\]/;

/** Lines that carry no event: headers and comments, trace-cmd's `cpus=N`, `CPU N is empty`, blanks (after leading ws). */
const SKIP = /^(?:#[^\n]*|cpus=[0-9]+|CPU [0-9]+ is empty|version = [0-9]+)?[\t\n\f\r ]*$/;

export interface LostMarker {
  cpu: number;
  count: string;
}

/** A lost-events marker line, or null. */
export function parseLost(s: string, start: number, end: number): LostMarker | null {
  const i = wsEnd(s, start, end);
  if (s.charCodeAt(i) !== 67 /* C */) return null;
  const m = LOST.exec(s.slice(i, end));
  return m ? { cpu: Number(m[1]), count: m[2]! } : null;
}

export function isSkipLine(s: string, start: number, end: number): boolean {
  const i = wsEnd(s, start, end);
  return i === end || SKIP.test(s.slice(i, end));
}

export type FtraceVariant = 'ftrace' | 'trace-cmd';

const scratch = new Prefix();

/**
 * Decides from the first lines whether a file is ftrace text, and which variant. Returns null
 * when fewer than half of the non-header lines look like ftrace events. Linear in the input.
 */
export function detectFtrace(lines: readonly string[]): FtraceVariant | null {
  let events = 0;
  let others = 0;
  let traceCmd = false;
  let seenContent = false;
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!seenContent && /^cpus=\d+[\t\n\f\r ]*$/.test(line)) traceCmd = true;
    if (isSkipLine(line, 0, line.length)) continue;
    seenContent = true;
    if (parsePrefix(line, 0, line.length, scratch)) events++;
    else if (!parseLost(line, 0, line.length)) others++;
  }
  if (events === 0 || events < others) return null;
  return traceCmd ? 'trace-cmd' : 'ftrace';
}
