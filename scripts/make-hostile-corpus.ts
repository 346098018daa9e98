// Generates the hostile input corpus in tests/hostile/: small files that are damaged, odd or
// malicious in one specific way, plus cases.json, which says for each what ingest must do:
// `rejected` with a message (and, where meaningful, the first bad line's location), or
// `accepted` with exact counts and located warnings. Expectations are worked out here from the
// format rules (issue 2, DESIGN §4/§4a), never by running the ingest. Cases that need size
// (10 MB lines, a gzip bomb) are marked `generated` and built at test time by buildGenerated().
// Deterministic: the same bytes on every run. Run: node --import tsx scripts/make-hostile-corpus.ts

import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

export const CORPUS_DIR = path.resolve(import.meta.dirname, '..', 'tests', 'hostile');

export interface ExpectedWarning {
  line: number;
  column: number;
  /** Regex source the warning's reason must match. */
  reason: string;
}

export interface ExpectRejected {
  outcome: 'rejected';
  /** Regex source the error message must match (in-process message and the CLI's stderr line). */
  message: string;
  /** First reported bad line, when the rejection is about lines. */
  location?: { line: number; column?: number; reason: string };
}

export interface ExpectAccepted {
  outcome: 'accepted';
  /** Trace name the ingest must give it (defaults to the file name it was ingested as). */
  name?: string;
  counts: {
    lines?: number;
    events: number;
    page_requests: number;
    page_responses: number;
    unrecoverable_faults: number;
    context_events: number;
    other_events: number;
    lost_markers: number;
    lost_events: number;
    bad_lines: number;
  };
  groups: { total: number; answered: number; unanswered: number; incomplete: number; orphan_responses: number; stop_markers: number };
  /** The first warnings, in order (ingest reports at most five). */
  warnings: ExpectedWarning[];
}

export interface CorpusCase {
  id: string;
  /** File under tests/hostile/ (for generated cases: the name it gets at test time). */
  file: string;
  covers: string;
  /** Path, relative to a scratch directory, the file is copied to and ingested as (hostile names). */
  ingestAs?: string;
  /** Environment for this ingest (limits), in-process and for the CLI. */
  env?: Record<string, string>;
  /** Built at test time by buildGenerated() instead of committed. */
  generated?: true;
  expect: ExpectRejected | ExpectAccepted;
}

interface Definition extends CorpusCase {
  /** Bytes of a committed case. */
  content?: () => Buffer;
  /** Its bytes come from the host's zlib, which may compress differently elsewhere. */
  zlib?: true;
}

// ---------------------------------------------------------------------------------------------
// Building blocks. Intel VT-d lines as a v6.9 kernel's trace file prints them (DESIGN §4).

const FTRACE_HEADER = [
  '# tracer: nop',
  '#',
  '# entries-in-buffer/entries-written: 0/0   #P:8',
  '#',
  '#                                _-----=> irqs-off/BH-disabled',
  '#                               / _----=> need-resched',
  '#                              | / _---=> hardirq/softirq',
  '#                              || / _--=> preempt-depth',
  '#                              ||| / _-=> migrate-disable',
  '#                              |||| /     delay',
  '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION',
  '#              | |         |   |||||     |         |',
];

/** `SSSS.UUUUUU` for a time in µs. */
function ts(us: number): string {
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

const REQ_PREFIX = (t: string) => ` irq/56-dmar0-pr-1042    [006] .....  ${t}: prq_report: `;
const RESP_PREFIX = (t: string) => `   kworker/u16:3-2215    [001] d..1.  ${t}: qi_submit: `;

interface ReqOpts {
  us: number;
  seq: number;
  idx: number;
  pasid?: string;
  index?: string;
  rid?: string;
}

function request(o: ReqOpts): string {
  const page = (0x559ef6f00 + o.seq).toString(16);
  return `${REQ_PREFIX(ts(o.us))}dmar0/0000:00:0a.0 seq# ${o.seq}: rid=${o.rid ?? '0x50'} addr=0x${page} r---l pasid=${o.pasid ?? '0x2'} index=${o.index ?? `0x${o.idx.toString(16)}`}`;
}

/** page_grp_resp for PASID 2, RID 0x50: qw0 = pasid<<32 | rid<<16 | code<<12 | 0x19; qw1 = index<<3 | LPIG. */
function response(us: number, idx: number, vtdCode = 0): string {
  const qw0 = ((2n << 32n) | (0x50n << 16n) | (BigInt(vtdCode) << 12n) | 0x19n).toString(16);
  const qw1 = ((idx << 3) | 4).toString(16);
  return `${RESP_PREFIX(ts(us))}page_grp_resp dmar0: 0x${qw0} 0x${qw1} 0x0 0x0`;
}

const T0 = 5_823_100_000; // µs

/**
 * n answered single-page groups: request i at T0 + 10i µs, its response 4 µs later; PRG index
 * i mod 64 (reused only after its previous use was answered). 2n lines, 2n events, n groups.
 */
function pairs(n: number, startUs = T0): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(request({ us: startUs + i * 10, seq: i, idx: i % 64 }));
    out.push(response(startUs + i * 10 + 4, i % 64));
  }
  return out;
}

/** Inserts text so that it becomes physical line `line` (1-based) of the result. */
function insertAt(lines: readonly string[], at: ReadonlyArray<[number, string]>): string[] {
  const out = [...lines];
  for (const [line, text] of [...at].sort((a, b) => a[0] - b[0])) out.splice(line - 1, 0, text);
  return out;
}

/** Column where a prefixed line's message starts (where decoders report a bad message). */
function msgColumn(line: string, event: string): number {
  return line.indexOf(`${event}: `) + event.length + 3;
}

const text = (lines: readonly string[], eol = '\n', final = true) => Buffer.from(lines.join(eol) + (final ? eol : ''));

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(seed: number, n: number): Buffer {
  const r = seeded(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
}

/**
 * gzip built by hand from deflate "stored" blocks (no compression), mtime 0, OS unknown: the
 * bytes are fixed by the format alone, so the corpus does not change with the host's zlib.
 */
function gzip(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255])];
  let off = 0;
  do {
    const len = Math.min(0xffff, data.length - off);
    const head = Buffer.alloc(5);
    head[0] = off + len >= data.length ? 1 : 0;
    head.writeUInt16LE(len, 1);
    head.writeUInt16LE(~len & 0xffff, 3);
    parts.push(head, data.subarray(off, off + len));
    off += len;
  } while (off < data.length);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  parts.push(trailer);
  return Buffer.concat(parts);
}

function crc32(data: Buffer): number {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

// Simulator CSV / JSONL rows (DESIGN §4).
const CSV_HEADER = 'ts_ns,kind,device,pasid,prgi,last,addr,perm,code';
const csvReq = (i: number) => `${1_000_000 + i * 1000},page_request,0000:00:0a.0,1,${i % 64},1,0x7f000000${(i % 16).toString(16)}000,r,`;
const csvResp = (i: number) => `${1_000_000 + i * 1000 + 400},page_response,0000:00:0a.0,1,${i % 64},,,,0`;
const csvPairs = (n: number) => Array.from({ length: n }, (_, i) => [csvReq(i), csvResp(i)]).flat();

const jsonReq = (i: number) =>
  JSON.stringify({
    ts_ns: String(1_000_000 + i * 1000),
    kind: 'page_request',
    device: '0000:00:0a.0',
    pasid: 1,
    prgi: i % 64,
    last: 1,
    addr: '0x7f0000001000',
    perm: 'r',
  });
const jsonResp = (i: number) =>
  JSON.stringify({ ts_ns: String(1_000_000 + i * 1000 + 400), kind: 'page_response', device: '0000:00:0a.0', pasid: 1, prgi: i % 64, code: 0 });
const jsonPairs = (n: number) => Array.from({ length: n }, (_, i) => [jsonReq(i), jsonResp(i)]).flat();

type Counts = ExpectAccepted['counts'];
type Groups = ExpectAccepted['groups'];
const NO_COUNTS: Counts = {
  events: 0,
  page_requests: 0,
  page_responses: 0,
  unrecoverable_faults: 0,
  context_events: 0,
  other_events: 0,
  lost_markers: 0,
  lost_events: 0,
  bad_lines: 0,
};
const NO_GROUPS: Groups = { total: 0, answered: 0, unanswered: 0, incomplete: 0, orphan_responses: 0, stop_markers: 0 };

/** What n answered pairs count as, plus extra. */
function pairCounts(n: number, extra: Partial<Counts> = {}): Counts {
  return { ...NO_COUNTS, events: 2 * n, page_requests: n, page_responses: n, ...extra };
}
function answered(n: number, extra: Partial<Groups> = {}): Groups {
  return { ...NO_GROUPS, total: n, answered: n, ...extra };
}

const accepted = (counts: Counts, groups: Groups, warnings: ExpectedWarning[] = [], name?: string): ExpectAccepted => ({
  outcome: 'accepted',
  ...(name === undefined ? {} : { name }),
  counts,
  groups,
  warnings,
});
const rejected = (message: string, location?: ExpectRejected['location']): ExpectRejected => ({
  outcome: 'rejected',
  message,
  ...(location ? { location } : {}),
});

const UNRECOGNISED = 'unrecognised format; tried: ftrace text.*simulator CSV.*simulator JSON Lines';
const MALFORMED_PRQ = '^malformed prq_report fields';

// ---------------------------------------------------------------------------------------------
// The cases.

function definitions(): Definition[] {
  const defs: Definition[] = [];
  const add = (d: Definition) => defs.push(d);

  // Empty, blank, header-only, wrong format.
  add({ id: 'empty', file: 'empty.trace', covers: 'a zero-byte file', content: () => Buffer.alloc(0), expect: rejected('empty file') });
  add({
    id: 'blank-lines',
    file: 'blank-lines.trace',
    covers: 'only blank and whitespace lines',
    content: () => Buffer.from('\n   \n\t\n\n'),
    expect: rejected('empty file'),
  });
  add({
    id: 'ftrace-header-only',
    file: 'ftrace-header-only.trace',
    covers: 'an ftrace header with no event lines',
    content: () => text(FTRACE_HEADER),
    expect: rejected(`${UNRECOGNISED}. First line: "# tracer: nop"`),
  });
  add({
    id: 'trace-cmd-header-only',
    file: 'trace-cmd-header-only.txt',
    covers: 'trace-cmd report of empty per-CPU buffers: cpus=N and "CPU n is empty" only',
    content: () => text(['cpus=4', 'CPU 0 is empty', 'CPU 1 is empty', 'CPU 2 is empty', 'CPU 3 is empty']),
    expect: rejected(UNRECOGNISED),
  });
  add({
    id: 'lost-events-only',
    file: 'lost-events-only.trace',
    covers: 'a header and lost-event markers, no events',
    content: () => text([...FTRACE_HEADER, 'CPU:0 [LOST 100 EVENTS]', 'CPU:3 [LOST 7 EVENTS]', 'CPU:1 [LOST 1 EVENTS]']),
    expect: rejected(UNRECOGNISED),
  });
  add({
    id: 'wrong-format',
    file: 'wrong-format.md',
    covers: 'a Markdown document',
    content: () => text(['# Incident 4711', '', 'The device stalled at 10:42; see the attached trace.', '', '- dmar0', '- PASID 2']),
    expect: rejected(`${UNRECOGNISED}. First line: "# Incident 4711"`),
  });
  add({
    id: 'binary-garbage',
    file: 'binary-garbage.bin',
    covers: '4 KiB of random bytes',
    content: () => {
      const b = randomBytes(11, 4096);
      b[0] = 0x7f; // never the gzip magic
      return b;
    },
    expect: rejected(UNRECOGNISED),
  });
  add({
    id: 'utf16',
    file: 'utf16le.trace',
    covers: 'a valid trace saved as UTF-16LE with a BOM',
    content: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pairs(20).join('\n') + '\n', 'utf16le')]),
    expect: rejected(UNRECOGNISED),
  });

  // Line damage under the bad-line threshold: counted, located warnings; the rest is kept.
  {
    const body = [...FTRACE_HEADER, ...pairs(150)];
    const cut1 = request({ us: T0 + 5, seq: 900, idx: 9 }).slice(0, 90);
    const cut2 = request({ us: T0 + 7, seq: 901, idx: 9 }).slice(0, 120);
    add({
      id: 'truncated-lines',
      file: 'truncated-lines.trace',
      covers: 'two extra lines cut off mid-message (a capture interrupted while copying)',
      content: () =>
        text(
          insertAt(body, [
            [50, cut1],
            [200, cut2],
          ]),
        ),
      expect: accepted(pairCounts(150, { lines: 314, bad_lines: 2 }), answered(150), [
        { line: 50, column: msgColumn(cut1, 'prq_report'), reason: MALFORMED_PRQ },
        { line: 200, column: msgColumn(cut2, 'prq_report'), reason: MALFORMED_PRQ },
      ]),
    });
  }
  {
    const cut = request({ us: T0 + 10 * 150, seq: 150, idx: 22 }).slice(0, 100);
    add({
      id: 'truncated-last-line',
      file: 'truncated-last-line.trace',
      covers: 'the file ends in the middle of a line, without a newline',
      content: () => text([...pairs(150), cut], '\n', false),
      expect: accepted(pairCounts(150, { lines: 301, bad_lines: 1 }), answered(150), [
        { line: 301, column: msgColumn(cut, 'prq_report'), reason: MALFORMED_PRQ },
      ]),
    });
  }
  {
    const withNul = request({ us: T0 + 3, seq: 902, idx: 9 }).replace('rid=0x50', 'r\0id=0x50');
    add({
      id: 'nul-bytes',
      file: 'nul-bytes.trace',
      covers: 'NUL bytes inside an event line and a line of NULs',
      content: () =>
        text(
          insertAt(pairs(150), [
            [10, withNul],
            [100, '\0\0\0\0'],
          ]),
        ),
      expect: accepted(pairCounts(150, { lines: 302, bad_lines: 2 }), answered(150), [
        { line: 10, column: msgColumn(withNul, 'prq_report'), reason: MALFORMED_PRQ },
        { line: 100, column: 1, reason: '^not an ftrace event line' },
      ]),
    });
  }
  add({
    id: 'invalid-utf8',
    file: 'invalid-utf8.trace',
    covers: 'one line with bytes that are not UTF-8',
    content: () => {
      const lines = pairs(150).map((l) => Buffer.from(l));
      const bad = Buffer.concat([
        Buffer.from(' irq/56-dmar0-pr-1042    [006] .....  5823.100003: prq_report: dmar'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('0'),
      ]);
      lines.splice(76, 0, bad);
      return Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    },
    expect: accepted(pairCounts(150, { lines: 301, bad_lines: 1 }), answered(150), [{ line: 77, column: 1, reason: 'not UTF-8' }]),
  });
  add({
    id: 'crlf',
    file: 'crlf.trace',
    covers: 'CRLF line ends throughout (a trace that went through Windows)',
    content: () => text([...FTRACE_HEADER, ...pairs(100)], '\r\n'),
    expect: accepted(pairCounts(100, { lines: 212 }), answered(100)),
  });
  add({
    id: 'mixed-line-ends',
    file: 'mixed-line-ends.trace',
    covers: 'LF for the first lines, CRLF after (two captures pasted together); a bad line located by its physical line',
    content: () => {
      const lines = insertAt(pairs(150), [[250, 'pasted note: see ticket 4711']]);
      return Buffer.from(lines.slice(0, 20).join('\n') + '\n' + lines.slice(20).join('\r\n') + '\r\n');
    },
    expect: accepted(pairCounts(150, { lines: 301, bad_lines: 1 }), answered(150), [{ line: 250, column: 1, reason: '^not an ftrace event line' }]),
  });
  add({
    id: 'lone-cr-line-ends',
    file: 'lone-cr-line-ends.trace',
    covers: 'classic Mac line ends: a lone CR ends every line',
    content: () => text(pairs(100), '\r'),
    expect: accepted(pairCounts(100, { lines: 200 }), answered(100)),
  });
  add({
    id: 'lone-cr-in-line',
    file: 'lone-cr-in-line.trace',
    covers: 'a stray CR inside an LF line: like DuckDB and classic Mac text, a lone CR ends a line, so it counts as two',
    content: () => text(insertAt(pairs(150), [[60, 'stray\rcarriage return']])),
    expect: accepted(pairCounts(150, { lines: 302, bad_lines: 2 }), answered(150), [
      { line: 60, column: 1, reason: '^not an ftrace event line: "stray"' },
      { line: 61, column: 1, reason: '^not an ftrace event line: "carriage return"' },
    ]),
  });
  {
    const base = pairs(50);
    const badAt = [7, 21, 41, 61, 81]; // request lines (odd physical lines) of groups 3, 10, 20, 30, 40
    const lines = base.map((l, i) => (badAt.includes(i + 1) ? l.replace('rid=0x50', 'rid=0xq0') : l));
    add({
      id: 'bad-hex-over-threshold',
      file: 'bad-hex.trace',
      covers: 'bad hex digits in 5 of 100 lines: over the 1% threshold, rejected whole with the first location',
      content: () => text(lines),
      expect: rejected('5 of 100 lines are bad \\(over the 1% threshold.*nothing was stored', {
        line: 7,
        column: msgColumn(lines[6]!, 'prq_report'),
        reason: MALFORMED_PRQ,
      }),
    });
  }
  {
    const bad = request({ us: T0 + 1000, seq: 20, idx: 20, pasid: '0x100000' });
    add({
      id: 'pasid-out-of-range',
      file: 'pasid-out-of-range.trace',
      covers: 'a prq_report with pasid=0x100000 (2^20, one past the 20-bit range)',
      content: () => text([...pairs(20), bad]),
      expect: rejected('1 of 41 lines are bad', { line: 41, column: msgColumn(bad, 'prq_report'), reason: MALFORMED_PRQ }),
    });
  }
  {
    const bad = request({ us: T0 + 1000, seq: 20, idx: 20, index: '0x200' });
    add({
      id: 'index-out-of-range',
      file: 'index-out-of-range.trace',
      covers: 'a prq_report with index=0x200 (512, one past the 9-bit PRG index)',
      content: () => text([...pairs(20), bad]),
      expect: rejected('1 of 41 lines are bad', { line: 41, column: msgColumn(bad, 'prq_report'), reason: '^prq_report field out of range' }),
    });
  }
  {
    const bad = response(T0 + 1000, 3, 0x5);
    add({
      id: 'response-code-out-of-range',
      file: 'response-code-out-of-range.trace',
      covers: 'a page_grp_resp whose qw0 code (bits 15:12) is 0x5, not 0x0/0x1/0xf',
      content: () => text([...pairs(20), bad]),
      expect: rejected('1 of 41 lines are bad', { line: 41, column: msgColumn(bad, 'qi_submit'), reason: 'page_grp_resp code is not 0x0, 0x1 or 0xf' }),
    });
  }
  {
    const bad = request({ us: T0 + 1000, seq: 20, idx: 20 }).replace(ts(T0 + 1000), '99999999999.000000');
    add({
      id: 'huge-seconds',
      file: 'huge-seconds.trace',
      covers: 'an 11-digit seconds field (past any ftrace clock)',
      content: () => text([...pairs(20), bad]),
      expect: rejected('1 of 41 lines are bad', { line: 41, column: 1, reason: '^not an ftrace event line' }),
    });
  }
  {
    const bad = request({ us: T0 + 1000, seq: 20, idx: 20 }).replace(ts(T0 + 1000), '123456789012345678');
    add({
      id: 'counter-timestamp-overflow',
      file: 'counter-timestamp-overflow.trace',
      covers: 'a bare 18-digit counter timestamp (trace_clock=counter style) that overflows 64-bit ns',
      content: () => text([...pairs(20), bad]),
      expect: rejected('1 of 41 lines are bad', { line: 41, column: msgColumn(bad, 'prq_report'), reason: '^timestamp out of range' }),
    });
  }
  add({
    id: 'max-seconds',
    file: 'max-seconds.trace',
    covers: 'timestamps just under 10^9 s, the largest the prefix allows (10^18 ns, inside 64 bits)',
    content: () => text(pairs(20, 999_999_000_000_000)),
    expect: accepted(pairCounts(20, { lines: 40 }), answered(20)),
  });
  add({
    id: 'unsorted-timestamps',
    file: 'unsorted-timestamps.trace',
    covers: 'lines in reverse time order (responses before their requests in the file): pairing goes by time',
    content: () => text([...pairs(30)].reverse()),
    expect: accepted(pairCounts(30, { lines: 60 }), answered(30)),
  });
  add({
    id: 'duplicate-events',
    file: 'duplicate-events.trace',
    covers: 'every line written twice: each duplicated last-page request completes a group of its own, each duplicated response answers one',
    content: () => text(pairs(10).flatMap((l) => [l, l])),
    expect: accepted(pairCounts(20, { lines: 40 }), answered(20)),
  });
  add({
    id: 'duplicate-response',
    file: 'duplicate-response.trace',
    covers: 'one response written twice: the second answers no group (orphan)',
    content: () => {
      const lines = pairs(10);
      return text(insertAt(lines, [[11, lines[9]!]]));
    },
    expect: accepted({ ...pairCounts(10), events: 21, page_responses: 11, lines: 21 }, answered(10, { orphan_responses: 1 })),
  });
  add({
    id: 'unknown-events-only',
    file: 'unknown-events-only.trace',
    covers: 'only events no format knows (sched_switch): counted as other, never fatal',
    content: () =>
      text(
        Array.from(
          { length: 10 },
          (_, i) =>
            `     my worker-1-77      [000] d..2.  ${ts(T0 + i)}: sched_switch: prev_comm=my worker-1 prev_pid=77 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120`,
        ),
      ),
    expect: accepted({ ...NO_COUNTS, lines: 10, events: 10, other_events: 10 }, NO_GROUPS),
  });
  add({
    id: 'context-only',
    file: 'context-only.trace',
    covers: 'only context events: other qi_submit types and map',
    content: () =>
      text(
        Array.from({ length: 5 }, (_, i) => [
          `${RESP_PREFIX(ts(T0 + 2 * i))}iotlb_inv dmar0: 0x100e2 0x0 0x0 0x0`,
          `   (udev-worker)-532     [004] .....  ${ts(T0 + 2 * i + 1)}: map: IOMMU: iova=0x00000000ffe00000 - 0x00000000ffe40000 paddr=0x000000012a4c0000 size=262144`,
        ]).flat(),
      ),
    expect: accepted({ ...NO_COUNTS, lines: 10, events: 10, context_events: 10 }, NO_GROUPS),
  });
  add({
    id: 'orphan-responses-only',
    file: 'orphan-responses-only.trace',
    covers: 'responses with no request in the trace',
    content: () => text(Array.from({ length: 5 }, (_, i) => response(T0 + i * 10, i))),
    expect: accepted({ ...NO_COUNTS, lines: 5, events: 5, page_responses: 5 }, { ...NO_GROUPS, orphan_responses: 5 }),
  });
  add({
    id: 'lost-markers',
    file: 'lost-markers.trace',
    covers: 'lost-event markers between events, one with a 7-digit count',
    content: () =>
      text(
        insertAt(pairs(20), [
          [5, 'CPU:6 [LOST 5 EVENTS]'],
          [12, 'CPU:1 [LOST 7 EVENTS]'],
          [30, 'CPU:6 [LOST 1000000 EVENTS]'],
        ]),
      ),
    expect: accepted(pairCounts(20, { lines: 43, events: 43, lost_markers: 3, lost_events: 1_000_012 }), answered(20)),
  });
  add({
    id: 'lost-count-out-of-range',
    file: 'lost-count-out-of-range.trace',
    covers: 'lost-event counts of 2^63 − 1 and of 19 nines (past INT64): located bad lines, never a database error or a dropped count',
    content: () =>
      text(
        insertAt(pairs(150), [
          [5, 'CPU:1 [LOST 9223372036854775807 EVENTS]'],
          [40, 'CPU:2 [LOST 9999999999999999999 EVENTS]'],
          [60, 'CPU:3 [LOST 9 EVENTS]'],
        ]),
      ),
    expect: accepted(pairCounts(150, { lines: 303, events: 301, lost_markers: 1, lost_events: 9, bad_lines: 2 }), answered(150), [
      { line: 5, column: 1, reason: '^lost-events count out of range' },
      { line: 40, column: 1, reason: '^lost-events count out of range' },
    ]),
  });
  add({
    id: 'leading-spaces-gz',
    file: 'leading-spaces.trace.gz',
    covers: 'a gzip of 65 000 spaces and a word: format detection is linear in the line (it once took seconds)',
    content: () => gzip(Buffer.from(`${' '.repeat(65_000)}x\n`)),
    expect: rejected(UNRECOGNISED),
  });
  {
    const lines = pairs(50);
    lines[99] = 'garbage where the last response was';
    add({
      id: 'exactly-one-percent-bad',
      file: 'exactly-one-percent-bad.trace',
      covers: '1 bad line in 100: at the 1% threshold, not over it, so the trace is kept',
      content: () => text(lines),
      expect: accepted({ ...pairCounts(50), lines: 100, events: 99, page_responses: 49, bad_lines: 1 }, answered(50, { answered: 49, unanswered: 1 }), [
        { line: 100, column: 1, reason: '^not an ftrace event line' },
      ]),
    });
  }
  {
    const lines = pairs(50);
    lines[97] = 'garbage one';
    lines[99] = 'garbage two';
    add({
      id: 'just-over-threshold',
      file: 'just-over-threshold.trace',
      covers: '2 bad lines in 100: over the 1% threshold, rejected whole',
      content: () => text(lines),
      expect: rejected('2 of 100 lines are bad \\(over the 1% threshold', { line: 98, column: 1, reason: '^not an ftrace event line' }),
    });
  }

  // gzip.
  add({
    id: 'not-gzip-named-gz',
    file: 'not-gzip.trace.gz',
    covers: 'plain text named .gz',
    content: () => text(pairs(5)),
    expect: rejected('named \\.gz but is not gzip data'),
  });
  add({
    id: 'gzip-magic-random',
    file: 'random-after-magic.gz',
    covers: 'the gzip magic number followed by random bytes',
    content: () => Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(12, 1000)]),
    expect: rejected('not a valid gzip file'),
  });
  add({
    id: 'gzip-truncated',
    file: 'truncated.trace.gz',
    covers: 'a gzip file cut in half (interrupted download)',
    content: () => {
      const gz = gzip(text(pairs(100)));
      return gz.subarray(0, gz.length >> 1);
    },
    expect: rejected('not a valid gzip file'),
  });
  add({
    id: 'gzip-trailing-garbage',
    file: 'trailing-garbage.trace.gz',
    covers: 'a valid gzip stream followed by text',
    content: () => Buffer.concat([gzip(text(pairs(10))), Buffer.from('this is not gzip\n')]),
    expect: rejected('not a valid gzip file'),
  });
  add({
    id: 'gzip-trailing-zeros',
    file: 'trailing-zeros.trace.gz',
    covers: 'a valid gzip stream padded with 512 zero bytes (tape/block padding): a clean gzip rejection, not a database error',
    content: () => Buffer.concat([gzip(text(pairs(10))), Buffer.alloc(512)]),
    expect: rejected('not a valid gzip file'),
  });
  add({
    id: 'gzip-of-gzip',
    file: 'double.trace.gz',
    covers: 'a trace compressed twice: one gunzip yields binary (the inner layer is real deflate)',
    zlib: true,
    content: () => gzip(zlib.gzipSync(text(pairs(10)), { level: 9 })),
    expect: rejected(UNRECOGNISED),
  });
  add({
    id: 'gzip-empty',
    file: 'empty.trace.gz',
    covers: 'gzip of nothing',
    content: () => gzip(Buffer.alloc(0)),
    expect: rejected('empty file'),
  });
  add({
    id: 'gzip-two-members',
    file: 'two-members.trace.gz',
    covers: 'two gzip members concatenated (cat a.gz b.gz): both are read',
    content: () => Buffer.concat([gzip(text(pairs(50))), gzip(text(pairs(50, T0 + 10_000)))]),
    expect: accepted(pairCounts(100, { lines: 200 }), answered(100)),
  });
  add({
    id: 'gzip-sim-csv',
    file: 'sim.csv.gz',
    covers: 'a gzipped simulator CSV',
    content: () => gzip(text([CSV_HEADER, ...csvPairs(20)])),
    expect: accepted(pairCounts(20, { lines: 41 }), answered(20)),
  });

  // Simulator CSV.
  add({
    id: 'csv-missing-column',
    file: 'csv-missing-column.csv',
    covers: 'a CSV header without the prgi column',
    content: () => text(['ts_ns,kind,device,pasid,last,addr,perm,code', '1000,page_request,0000:00:0a.0,1,1,0x1000,r,']),
    expect: rejected(UNRECOGNISED),
  });
  {
    const short = '1000500,page_request,0000:00:0a.0,1,5,1,0x1000';
    add({
      id: 'csv-row-missing-fields',
      file: 'csv-row-missing-fields.csv',
      covers: "a row with 7 of the header's 9 fields",
      content: () => text(insertAt([CSV_HEADER, ...csvPairs(100)], [[52, short]])),
      expect: accepted(pairCounts(100, { lines: 202, bad_lines: 1 }), answered(100), [
        { line: 52, column: 1, reason: '^expected 9 fields as in the header, found 7' },
      ]),
    });
  }
  add({
    id: 'csv-row-extra-fields',
    file: 'csv-row-extra-fields.csv',
    covers: 'a row with 10 fields under a 9-field header',
    content: () => text(insertAt([CSV_HEADER, ...csvPairs(100)], [[52, '1000500,page_request,0000:00:0a.0,1,5,1,0x1000,r,,surplus']])),
    expect: accepted(pairCounts(100, { lines: 202, bad_lines: 1 }), answered(100), [
      { line: 52, column: 1, reason: '^expected 9 fields as in the header, found 10' },
    ]),
  });
  add({
    id: 'csv-bom-quotes',
    file: 'csv-bom-quotes.csv',
    covers: 'a spreadsheet export: UTF-8 BOM, every field quoted, CRLF, an extra note column with a comma and escaped quotes',
    content: () => {
      const q = (row: string, note: string) => [...row.split(','), note].map((f) => `"${f.replaceAll('"', '""')}"`).join(',');
      const rows = [q(CSV_HEADER, 'note'), ...csvPairs(3).map((r, i) => q(r, i === 0 ? 'stalled, then "recovered"' : ''))];
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text(rows, '\r\n')]);
    },
    expect: accepted(pairCounts(3, { lines: 7 }), answered(3)),
  });
  {
    const header = `${CSV_HEADER},note`;
    const noted = csvPairs(2).map((r) => `${r},"first line\nsecond line"`);
    const badRow = '2000000,page_request,0000:00:0a.0,1,999,1,0x1000,r,,plain';
    const rows = [
      header,
      ...noted,
      ...csvPairs(100)
        .map((r) => `${r},`)
        .slice(4),
      badRow,
    ];
    const physicalLine = rows.join('\n').split('\n').length;
    add({
      id: 'csv-quoted-newline',
      file: 'csv-quoted-newline.csv',
      covers: 'quoted fields that span two lines; a later bad row is located by its physical line',
      content: () => text(rows),
      expect: accepted(pairCounts(100, { bad_lines: 1 }), answered(100), [
        { line: physicalLine, column: badRow.indexOf(',999,') + 2, reason: '^prgi: not a PRG index below 512' },
      ]),
    });
  }
  {
    const pasid = '1000700,page_request,0000:00:0a.0,1048576,7,1,0x1000,r,';
    const prgi = '1000900,page_request,0000:00:0a.0,1,512,1,0x1000,r,';
    add({
      id: 'csv-out-of-range',
      file: 'csv-out-of-range.csv',
      covers: 'pasid = 2^20 and prgi = 512 in simulator rows',
      content: () =>
        text(
          insertAt(
            [CSV_HEADER, ...csvPairs(150)],
            [
              [10, pasid],
              [20, prgi],
            ],
          ),
        ),
      expect: accepted(pairCounts(150, { lines: 303, bad_lines: 2 }), answered(150), [
        { line: 10, column: pasid.indexOf(',1048576,') + 2, reason: '^pasid: not a PASID below 2\\^20' },
        { line: 20, column: prgi.indexOf(',512,') + 2, reason: '^prgi: not a PRG index below 512' },
      ]),
    });
  }
  add({
    id: 'csv-negative-timestamp',
    file: 'csv-negative-timestamp.csv',
    covers: 'a negative ts_ns',
    content: () => text([CSV_HEADER, csvReq(0), '-5,page_request,0000:00:0a.0,1,1,1,0x1000,r,']),
    expect: rejected('1 of 2 lines are bad', { line: 3, column: 1, reason: '^ts_ns: not a non-negative time: "-5"' }),
  });
  add({
    id: 'csv-header-only',
    file: 'csv-header-only.csv',
    covers: 'a CSV header and no rows',
    content: () => text([CSV_HEADER]),
    expect: rejected('no trace events found'),
  });
  add({
    id: 'csv-unsorted',
    file: 'csv-unsorted.csv',
    covers: 'a response row before its request row (pairing is by time, not file order)',
    content: () => text([CSV_HEADER, ...csvPairs(10).reverse()]),
    expect: accepted(pairCounts(10, { lines: 21 }), answered(10)),
  });

  // Simulator JSON Lines.
  add({
    id: 'jsonl-bad-json',
    file: 'jsonl-bad-json.jsonl',
    covers: 'a truncated JSON object and a JSON array among 300 records',
    content: () =>
      text(
        insertAt(jsonPairs(150), [
          [20, '{"ts_ns":"1000","kind":"page_req'],
          [40, '[1,2,3]'],
        ]),
      ),
    expect: accepted(pairCounts(150, { lines: 302, bad_lines: 2 }), answered(150), [
      { line: 20, column: 1, reason: '^not a JSON object' },
      { line: 40, column: 1, reason: '^not a JSON object' },
    ]),
  });
  add({
    id: 'jsonl-mostly-bad',
    file: 'jsonl-mostly-bad.jsonl',
    covers: 'one good record, then null, a number and broken JSON',
    content: () => text([jsonReq(0), 'null', '42', '{"ts_ns": 5,']),
    expect: rejected('3 of 4 lines are bad', { line: 2, column: 1, reason: '^not a JSON object' }),
  });
  {
    const hugeTs = jsonReq(7).replace('"ts_ns":"1007000"', '"ts_ns":18446744073709551616');
    const hugePasid = jsonReq(8).replace('"pasid":1', '"pasid":99999999999999999999');
    add({
      id: 'jsonl-huge-numbers',
      file: 'jsonl-huge-numbers.jsonl',
      covers: 'a 2^64 timestamp and a 20-digit PASID as bare JSON numbers',
      content: () =>
        text(
          insertAt(jsonPairs(150), [
            [5, hugeTs],
            [6, hugePasid],
          ]),
        ),
      expect: accepted(pairCounts(150, { lines: 302, bad_lines: 2 }), answered(150), [
        { line: 5, column: hugeTs.indexOf('"ts_ns"') + 1, reason: '^ts_ns: not a non-negative time' },
        { line: 6, column: hugePasid.indexOf('"pasid"') + 1, reason: '^pasid: not a PASID below 2\\^20' },
      ]),
    });
  }
  add({
    id: 'jsonl-bom',
    file: 'jsonl-bom.jsonl',
    covers: 'JSON Lines starting with a UTF-8 BOM',
    content: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text(jsonPairs(3))]),
    expect: accepted(pairCounts(3, { lines: 6 }), answered(3)),
  });

  // Hostile file names.
  add({
    id: 'shell-characters-name',
    file: 'shell-characters-name.trace',
    covers: 'ingested through a path with ../ and a name full of shell syntax; stored as text, nothing runs',
    ingestAs: 'sub/../a;rm -rf b$(touch pwned)`touch pwned2`.txt',
    content: () => text(pairs(5)),
    expect: accepted(pairCounts(5, { lines: 10 }), answered(5), [], 'a;rm -rf b$(touch pwned)`touch pwned2`.txt'),
  });
  add({
    id: 'control-characters-name',
    file: 'control-characters-name.trace',
    covers: 'a rejected file whose name holds a newline and a terminal escape: the error stays one line',
    ingestAs: 'evil\n\u001b[2Jname.trace',
    content: () => text(['not a trace', 'at all']),
    expect: rejected(UNRECOGNISED),
  });

  // Built at test time (too big to commit).
  add({
    id: 'ten-mb-line-ftrace',
    file: 'ten-mb-line.trace',
    generated: true,
    covers: 'a 10 MB line among ftrace events: one bad line over PRITRACE_MAX_LINE_BYTES, the rest kept',
    expect: accepted(pairCounts(150, { lines: 301, bad_lines: 1 }), answered(150), [
      { line: 151, column: 1, reason: 'line longer than the limit \\(PRITRACE_MAX_LINE_BYTES\\)' },
    ]),
  });
  add({
    id: 'ten-mb-line-jsonl',
    file: 'ten-mb-line.jsonl',
    generated: true,
    covers: 'a 10 MB JSON Lines record (a valid object with a 10 MB device name): over the line limit, a bad line',
    expect: accepted(pairCounts(150, { lines: 301, bad_lines: 1 }), answered(150), [
      { line: 151, column: 1, reason: 'line longer than the limit \\(PRITRACE_MAX_LINE_BYTES\\)' },
    ]),
  });
  add({
    id: 'ten-mb-line-csv',
    file: 'ten-mb-line.csv',
    generated: true,
    covers: 'a 10 MB CSV row (a 10 MB device field): over the line limit, a bad line',
    expect: accepted(pairCounts(150, { lines: 302, bad_lines: 1 }), answered(150), [
      { line: 152, column: 1, reason: 'line longer than the limit \\(PRITRACE_MAX_LINE_BYTES\\)' },
    ]),
  });
  add({
    id: 'zero-filled-hole',
    file: 'zero-filled-hole.trace',
    generated: true,
    covers: 'a 33 MiB zero-filled line (the hole a crashed recorder leaves) and a 2 MiB text line: each a located bad line, later lines numbered right',
    expect: accepted(pairCounts(150, { lines: 302, bad_lines: 2 }), answered(150), [
      { line: 101, column: 1, reason: 'line longer than the limit \\(PRITRACE_MAX_LINE_BYTES\\)' },
      { line: 202, column: 1, reason: 'line longer than the limit \\(PRITRACE_MAX_LINE_BYTES\\)' },
    ]),
  });
  add({
    id: 'gzip-bomb',
    file: 'bomb.trace.gz',
    generated: true,
    covers: '1 GiB of newlines in one ~1 MB gzip member, with the decompressed-size cap at 16 MiB',
    env: { PRITRACE_MAX_DECOMPRESSED_BYTES: String(16 << 20) },
    expect: rejected(`decompresses to more than ${16 << 20} bytes \\(limit PRITRACE_MAX_DECOMPRESSED_BYTES\\)`),
  });
  add({
    id: 'gzip-comment-bomb',
    file: 'comment-bomb.trace.gz',
    generated: true,
    covers:
      '1 GiB of ftrace comment lines in one ~2 MB gzip, at the default limits: refused by the ratio cap (100 × the compressed size) instead of holding the ingest queue for minutes',
    expect: rejected('decompresses to more than \\d+ bytes \\(100 times its \\d+ compressed bytes, limit PRITRACE_MAX_GZIP_RATIO\\)'),
  });
  return defs;
}

/** The cases without their builders: what cases.json holds. */
export function manifest(): CorpusCase[] {
  return definitions().map(({ content: _content, zlib: _zlib, ...c }) => c);
}

/**
 * Bytes of a committed case, regenerated, for the corpus freshness check; null for a case whose
 * bytes depend on the host's zlib (only its presence can be checked).
 */
export function committedContent(id: string): Buffer | null {
  const d = definitions().find((c) => c.id === id);
  if (!d?.content) throw new Error(`no committed case ${id}`);
  return d.zlib ? null : d.content();
}

/** Writes a generated (size-needing) case to `file`. */
export async function buildGenerated(id: string, file: string): Promise<void> {
  const tenMb = 10 * 1024 * 1024;
  switch (id) {
    case 'ten-mb-line-ftrace': {
      const lines = pairs(150);
      fs.writeFileSync(file, text(insertAt(lines, [[151, 'x'.repeat(tenMb)]])));
      return;
    }
    case 'ten-mb-line-jsonl': {
      const big = JSON.stringify({ ts_ns: '1', kind: 'page_request', device: 'd'.repeat(tenMb), pasid: 1, prgi: 500, last: 1, addr: '0x1000', perm: 'r' });
      fs.writeFileSync(file, text(insertAt(jsonPairs(150), [[151, big]])));
      return;
    }
    case 'ten-mb-line-csv': {
      const big = `1,page_request,${'d'.repeat(tenMb)},1,500,1,0x1000,r,`;
      fs.writeFileSync(file, text(insertAt([CSV_HEADER, ...csvPairs(150)], [[152, big]])));
      return;
    }
    case 'zero-filled-hole': {
      const lines = insertAt(pairs(150), [
        [101, '\0'.repeat(33 << 20)],
        [202, 'y'.repeat(2 << 20)],
      ]);
      fs.writeFileSync(file, text(lines));
      return;
    }
    case 'gzip-bomb': {
      const chunk = Buffer.alloc(1 << 20, 0x0a);
      await pipeline(
        Readable.from(
          (function* () {
            for (let i = 0; i < 1024; i++) yield chunk;
          })(),
        ),
        zlib.createGzip({ level: 9 }),
        fs.createWriteStream(file),
      );
      return;
    }
    case 'gzip-comment-bomb': {
      const line = `# ${'x'.repeat(1021)}\n`;
      const chunk = Buffer.from(line.repeat(1024));
      await pipeline(
        Readable.from(
          (function* () {
            for (let i = 0; i < 1024; i++) yield chunk;
          })(),
        ),
        zlib.createGzip({ level: 9 }),
        fs.createWriteStream(file),
      );
      return;
    }
    default:
      throw new Error(`no generated case ${id}`);
  }
}

export function writeCorpus(dir = CORPUS_DIR): { files: number; cases: number } {
  fs.mkdirSync(dir, { recursive: true });
  const defs = definitions();
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const d of defs) {
    if (ids.has(d.id) || names.has(d.file)) throw new Error(`duplicate case ${d.id} / ${d.file}`);
    ids.add(d.id);
    names.add(d.file);
  }
  for (const f of fs.readdirSync(dir)) if (f !== 'cases.json' && !names.has(f)) fs.rmSync(path.join(dir, f));
  let files = 0;
  for (const d of defs) {
    if (!d.content) continue;
    const bytes = d.content();
    if (bytes.length > 200 * 1024) throw new Error(`${d.file} is ${bytes.length} bytes; generate it at test time instead`);
    fs.writeFileSync(path.join(dir, d.file), bytes);
    files++;
  }
  fs.writeFileSync(path.join(dir, 'cases.json'), `${JSON.stringify(manifest(), null, 2)}\n`);
  return { files, cases: defs.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, cases } = writeCorpus();
  process.stdout.write(`tests/hostile: ${cases} cases, ${files} committed files, cases.json\n`);
}
