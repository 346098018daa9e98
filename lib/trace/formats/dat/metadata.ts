// Reads everything in a trace.dat except the ring-buffer data: the file header, then for v6
// the sequential header blocks, for v7 the options chain and the sections it points to
// (in any order, compressed or not). Result: page layout, event formats by id, cmdlines,
// the buffers (instances) with per-CPU data ranges, and the timestamp corrections the
// options ask for. Large blocks the reader does not need (kallsyms, printk) are skipped.

import { ByteCursor, utf8, type Endian } from './bytes.ts';
import { codecFor, type Codec } from './compression.ts';
import { DatFormatError } from './errors.ts';
import { FormatTextError, parseEventFormat, parseHeaderPage, type EventFormat, type PageLayout } from './event-format.ts';
import type { ByteSource } from './source.ts';

export const DAT_MAGIC = [0x17, 0x08, 0x44, ...'tracing'.split('').map((c) => c.charCodeAt(0))];

/** Whether the first bytes are a trace-cmd file's magic. */
export function isDatMagic(head: Uint8Array): boolean {
  return head.length >= DAT_MAGIC.length && DAT_MAGIC.every((b, i) => head[i] === b);
}

export interface CpuData {
  cpu: number;
  offset: number;
  size: number;
}

export interface DatBuffer {
  /** '' for the top instance. */
  name: string;
  clock: string | null;
  pageSize: number;
  cpus: CpuData[];
  /** Flyrecord data in compressed chunks (v7 section flag). */
  compressed: boolean;
}

export interface TimeShiftSample {
  time: bigint;
  offset: bigint;
  scaling: bigint;
  fraction: bigint;
}

export interface TimeCorrection {
  tsc2nsec: { mult: bigint; shift: bigint } | null;
  /** OFFSET and DATE options, in ns, added last. */
  offset: bigint;
  /** TIME_SHIFT (guest → host) samples per CPU, sorted by time, or null. */
  timeShift: { flags: number; cpus: TimeShiftSample[][] } | null;
}

export interface DatFile {
  version: 6 | 7;
  endian: Endian;
  longSize: number;
  pageSize: number;
  codec: Codec | null;
  layout: PageLayout;
  events: Map<number, EventFormat>;
  cmdlines: Map<number, string>;
  buffers: DatBuffer[];
  cpuCount: number | null;
  clock: string | null;
  time: TimeCorrection;
}

const SECTION_NAMES: Record<number, string> = {
  0: 'OPTIONS',
  3: 'BUFFER',
  15: 'STRINGS',
  16: 'HEADER_INFO',
  17: 'FTRACE_EVENTS',
  18: 'EVENT_FORMATS',
  19: 'KALLSYMS',
  20: 'PRINTK',
  21: 'CMDLINES',
  22: 'BUFFER_TEXT',
  23: 'BTF_FILE',
  25: 'MODULES_FILE',
};

const OPT = {
  DONE: 0,
  DATE: 1,
  BUFFER: 3,
  TRACECLOCK: 4,
  OFFSET: 7,
  CPUCOUNT: 8,
  TIME_SHIFT: 12,
  TSC2NSEC: 14,
  HEADER_INFO: 16,
  FTRACE_EVENTS: 17,
  EVENT_FORMATS: 18,
  CMDLINES: 21,
  BUFFER_TEXT: 22,
} as const;

/** Sequential reads from the file with a small window, for v6's header blocks. */
class FileCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufAt = 0;
  constructor(
    readonly src: ByteSource,
    public pos: number,
    public endian: Endian,
    public section: string,
  ) {}

  fail(reason: string, at = this.pos): never {
    throw new DatFormatError({ offset: at, section: this.section }, reason);
  }

  async block(n: number, what: string): Promise<ByteCursor> {
    if (n < 0 || this.pos + n > this.src.size) this.fail(`truncated: ${what} needs ${n} bytes, the file has ${Math.max(0, this.src.size - this.pos)} left`);
    let bytes: Uint8Array;
    if (this.pos >= this.bufAt && this.pos + n <= this.bufAt + this.buf.length) {
      bytes = this.buf.subarray(this.pos - this.bufAt, this.pos - this.bufAt + n);
    } else if (n <= 1 << 16) {
      this.buf = await this.src.read(this.pos, 1 << 16);
      this.bufAt = this.pos;
      bytes = this.buf.subarray(0, n);
    } else {
      bytes = await this.src.read(this.pos, n);
    }
    const c = new ByteCursor(bytes, this.endian, this.pos, this.section);
    this.pos += n;
    return c;
  }

  async u16(what: string) {
    return (await this.block(2, what)).u16(what);
  }
  async u32(what: string) {
    return (await this.block(4, what)).u32(what);
  }
  async u64(what: string) {
    return (await this.block(8, what)).u64Number(what);
  }
  async fixed(n: number, what: string): Promise<string> {
    const c = await this.block(n, what);
    return String.fromCharCode(...c.take(n, what));
  }
  async cstring(what: string): Promise<string> {
    const start = this.pos;
    for (let len = 64; ; len *= 4) {
      const avail = Math.min(len, this.src.size - start);
      const bytes = await this.src.read(start, avail);
      const end = bytes.indexOf(0);
      if (end >= 0) {
        this.pos = start + end + 1;
        return utf8(bytes.subarray(0, end));
      }
      if (avail < len || len > 1 << 20) this.fail(`truncated: ${what} has no terminating NUL`, start);
    }
  }
  skipBytes(n: number, what: string): void {
    if (this.pos + n > this.src.size) this.fail(`truncated: ${what} needs ${n} bytes, the file has ${Math.max(0, this.src.size - this.pos)} left`);
    this.pos += n;
  }
}

/** A buffer as its option describes it, before its data is located: `at` is the v6 instance offset or the v7 BUFFER section offset. */
type PendingBuffer = DatBuffer & { at: number };

/** What the blocks and options read so far have given. */
interface Collected {
  layout?: PageLayout;
  events: Map<number, EventFormat>;
  cmdlines: Map<number, string>;
  buffers: PendingBuffer[];
  cpuCount: number | null;
  clock: string | null;
  time: TimeCorrection;
  sections: Map<number, number>;
}

export async function readDatMetadata(src: ByteSource): Promise<DatFile> {
  const fc = new FileCursor(src, 0, 'le', 'file header');
  const magic = await fc.block(10, 'the magic');
  if (!isDatMagic(magic.bytes)) fc.fail('not a trace-cmd file (magic 17 08 44 "tracing" missing)', 0);
  const version = await fc.cstring('the version string');
  if (version !== '6' && version !== '7') fc.fail(`file version "${version}" is not supported (6 and 7 are)`, 10);
  const endianByte = (await fc.block(1, 'the endian byte')).u8();
  if (endianByte > 1) fc.fail(`endian byte ${endianByte} is neither 0 (little) nor 1 (big)`, fc.pos - 1);
  fc.endian = endianByte === 1 ? 'be' : 'le';
  const longSize = (await fc.block(1, 'the long size')).u8();
  if (longSize !== 4 && longSize !== 8) fc.fail(`long size ${longSize} is neither 4 nor 8`, fc.pos - 1);
  const pageSize = await fc.u32('the page size');
  if (pageSize < 64 || pageSize > 1 << 24 || (pageSize & (pageSize - 1)) !== 0)
    fc.fail(`page size ${pageSize} is not a power of two between 64 B and 16 MiB`, fc.pos - 4);

  const p: Collected = {
    events: new Map(),
    cmdlines: new Map(),
    buffers: [],
    cpuCount: null,
    clock: null,
    time: { tsc2nsec: null, offset: 0n, timeShift: null },
    sections: new Map(),
  };
  let codec: Codec | null = null;
  const endian = fc.endian;
  if (version === '6') {
    await readV6(src, fc, p, pageSize);
  } else {
    const at = fc.pos;
    const name = await fc.cstring('the compression name');
    await fc.cstring('the compression version');
    const c = await codecFor(name);
    if (c === undefined) return fc.fail(`unknown compression "${name}" (known: none, zstd, zlib)`, at);
    codec = c;
    const first = await fc.u64('the first OPTIONS offset');
    await readV7(src, p, endian, codec, first);
  }
  if (!p.layout) throw new DatFormatError({ offset: 0, section: 'HEADER_INFO' }, 'the file has no header_page (HEADER_INFO) block');
  return {
    version: version === '6' ? 6 : 7,
    endian,
    longSize,
    pageSize,
    codec,
    layout: p.layout,
    events: p.events,
    cmdlines: p.cmdlines,
    buffers: p.buffers,
    cpuCount: p.cpuCount,
    clock: p.clock,
    time: p.time,
  };
}

function wrapFormat<T>(fn: () => T, offset: number, section: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FormatTextError) throw new DatFormatError({ offset, section }, `format text does not parse: ${e.message}`, { cause: e });
    throw e;
  }
}

// ---- shared block parsers (same inner layout in v6 and v7) ----

function parseHeaderInfo(c: ByteCursor, p: Collected): void {
  const tag = c.text(12, 'the "header_page" tag');
  if (tag !== 'header_page') c.fail(`expected "header_page", found "${tag}"`);
  const at = c.base + c.pos;
  const size = c.u64Number('the header_page size');
  const text = c.text(size, 'the header_page text');
  p.layout = wrapFormat(() => parseHeaderPage(text), at, c.section);
  const tag2 = c.text(13, 'the "header_event" tag');
  if (tag2 !== 'header_event') c.fail(`expected "header_event", found "${tag2}"`);
  c.take(c.u64Number('the header_event size'), 'the header_event text');
}

function addFormat(p: Collected, text: string, system: string, at: number, section: string): void {
  const f = wrapFormat(() => parseEventFormat(text, system), at, section);
  p.events.set(f.id, f);
}

function parseFtraceEvents(c: ByteCursor, p: Collected): void {
  const n = c.u32('the ftrace format count');
  for (let i = 0; i < n; i++) {
    const at = c.base + c.pos;
    const size = c.u64Number('a format size');
    addFormat(p, c.text(size, 'a format text'), 'ftrace', at, c.section);
  }
}

function parseEventFormats(c: ByteCursor, p: Collected): void {
  const systems = c.u32('the event system count');
  for (let s = 0; s < systems; s++) {
    const system = c.cstring('a system name');
    const n = c.u32('the event count');
    for (let i = 0; i < n; i++) {
      const at = c.base + c.pos;
      const size = c.u64Number('a format size');
      addFormat(p, c.text(size, 'a format text'), system, at, c.section);
    }
  }
}

function parseCmdlines(c: ByteCursor, p: Collected): void {
  const size = c.u64Number('the cmdlines size');
  for (const line of c.text(size, 'the cmdlines text').split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m) p.cmdlines.set(Number(m[1]), m[2]!);
  }
}

function parseOption(id: number, c: ByteCursor, p: Collected, version: 6 | 7): number | null {
  switch (id) {
    case OPT.DATE:
    case OPT.OFFSET: {
      const s = c.text(c.remaining, 'the offset text').trim();
      let v: bigint;
      try {
        v = BigInt(s.startsWith('-') ? -BigInt(s.slice(1)) : BigInt(s));
      } catch {
        return c.fail(`${id === OPT.DATE ? 'DATE' : 'OFFSET'} option "${s.slice(0, 40)}" is not a number`);
      }
      p.time.offset += id === OPT.DATE ? v * 1000n : v;
      return null;
    }
    case OPT.TRACECLOCK: {
      const text = c.text(c.remaining, 'the trace clock');
      p.clock = /\[([^\]]+)\]/.exec(text)?.[1] ?? (text.trim() || null);
      return null;
    }
    case OPT.CPUCOUNT:
      p.cpuCount = c.u32('the CPU count');
      return null;
    case OPT.TSC2NSEC: {
      const mult = BigInt(c.u32('the TSC multiplier'));
      const shift = BigInt(c.u32('the TSC shift'));
      c.u64('the TSC offset');
      p.time.tsc2nsec = mult > 0n ? { mult, shift } : null;
      return null;
    }
    case OPT.TIME_SHIFT: {
      if (c.remaining < 16) return null;
      c.u64('the peer trace id');
      const flags = c.u32('the time-sync flags');
      const cpus = c.u32('the time-sync CPU count');
      const per: TimeShiftSample[][] = [];
      for (let i = 0; i < cpus; i++) {
        const n = c.u32('a sample count');
        const times = Array.from({ length: n }, () => BigInt.asIntN(64, c.u64('a sample time')));
        const offsets = Array.from({ length: n }, () => BigInt.asIntN(64, c.u64('a sample offset')));
        const scalings = Array.from({ length: n }, () => c.u64('a sample scaling'));
        per.push(times.map((time, k) => ({ time, offset: offsets[k]!, scaling: scalings[k]!, fraction: 0n })));
      }
      if (c.remaining > 0) for (const samples of per) for (const s of samples) s.fraction = c.u64('a sample fraction');
      for (let i = 0; i < per.length; i++) {
        const sorted = per[i]!.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
        per[i] = sorted.filter((s, k) => k === 0 || s.time !== sorted[k - 1]!.time);
      }
      if (per.length > 0) p.time.timeShift = { flags, cpus: per };
      return null;
    }
    case OPT.BUFFER:
    case OPT.BUFFER_TEXT: {
      const offset = c.u64Number('the buffer offset');
      const name = c.cstring('the buffer name');
      if (version === 6) {
        p.buffers.push({ name, clock: null, pageSize: 0, cpus: [], compressed: false, at: offset });
        return null;
      }
      const clock = c.cstring('the buffer clock');
      if (id === OPT.BUFFER_TEXT) return c.fail(`instance "${name}" holds latency (text) data, which this reader does not read`);
      const pageSize = c.u32('the buffer page size');
      const n = c.u32('the buffer CPU count');
      const cpus: CpuData[] = [];
      for (let i = 0; i < n; i++) cpus.push({ cpu: c.u32('a CPU id'), offset: c.u64Number('a CPU data offset'), size: c.u64Number('a CPU data size') });
      p.buffers.push({ name, clock, pageSize, cpus, compressed: false, at: offset });
      return null;
    }
    case OPT.HEADER_INFO:
    case OPT.FTRACE_EVENTS:
    case OPT.EVENT_FORMATS:
    case OPT.CMDLINES:
      if (version === 7) p.sections.set(id, c.u64Number('a section offset'));
      return null;
    default:
      return null;
  }
}

// ---- v6: everything in order ----

async function readV6(src: ByteSource, fc: FileCursor, p: Collected, pageSize: number): Promise<void> {
  fc.section = 'header_page';
  parseHeaderInfo(await headerInfoBlock(fc), p);
  fc.section = 'ftrace event formats';
  {
    const n = await fc.u32('the ftrace format count');
    for (let i = 0; i < n; i++) {
      const at = fc.pos;
      const size = await fc.u64('a format size');
      const c = await fc.block(size, 'a format text');
      addFormat(p, c.text(size, 'a format text'), 'ftrace', at, fc.section);
    }
  }
  fc.section = 'event formats';
  {
    const systems = await fc.u32('the event system count');
    for (let s = 0; s < systems; s++) {
      const system = await fc.cstring('a system name');
      const n = await fc.u32('the event count');
      for (let i = 0; i < n; i++) {
        const at = fc.pos;
        const size = await fc.u64('a format size');
        const c = await fc.block(size, 'a format text');
        addFormat(p, c.text(size, 'a format text'), system, at, fc.section);
      }
    }
  }
  fc.section = 'kallsyms';
  fc.skipBytes(await fc.u32('the kallsyms size'), 'kallsyms');
  fc.section = 'printk formats';
  fc.skipBytes(await fc.u32('the printk size'), 'printk formats');
  fc.section = 'cmdlines';
  {
    const at = fc.pos;
    const size = await fc.u64('the cmdlines size');
    fc.pos = at;
    parseCmdlines(await fc.block(8 + size, 'the cmdlines'), p);
  }
  fc.section = 'CPU count';
  const cpus = await fc.u32('the CPU count');
  fc.section = 'options';
  let marker = await fc.fixed(10, 'the options/flyrecord marker');
  if (marker === 'options  \0') {
    for (;;) {
      const id = await fc.u16('an option id');
      if (id === OPT.DONE) break;
      const size = await fc.u32('an option size');
      parseOption(id, await fc.block(size, 'an option'), p, 6);
    }
    marker = await fc.fixed(10, 'the flyrecord marker');
  }
  if (marker === 'latency  \0') fc.fail('the file holds a latency (text) trace, not flyrecord data');
  if (marker !== 'flyrecord\0') fc.fail(`expected "flyrecord", found "${printableMarker(marker)}"`, fc.pos - 10);
  fc.section = 'flyrecord';
  const top: PendingBuffer = { name: '', clock: p.clock, pageSize, cpus: await v6CpuTable(fc, cpus), compressed: false, at: 0 };
  for (const b of p.buffers) {
    fc.pos = b.at;
    fc.section = `buffer ${b.name}`;
    if (fc.pos + 10 > src.size) fc.fail(`instance "${b.name}" data offset ${b.at} is past the end of the file (${src.size} bytes)`);
    const m = await fc.fixed(10, 'the instance flyrecord marker');
    if (m !== 'flyrecord\0') fc.fail(`instance "${b.name}": expected "flyrecord", found "${printableMarker(m)}"`, fc.pos - 10);
    b.cpus = await v6CpuTable(fc, cpus);
    b.pageSize = pageSize;
    b.clock = p.clock;
  }
  p.buffers.unshift(top);
}

function printableMarker(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '.');
}

async function headerInfoBlock(fc: FileCursor): Promise<ByteCursor> {
  // header_page tag + size + text, header_event tag + size + text: sizes are read first.
  const start = fc.pos;
  fc.skipBytes(12, 'the "header_page" tag');
  const a = await fc.u64('the header_page size');
  fc.skipBytes(a + 13, 'the header_page text');
  const b = await fc.u64('the header_event size');
  fc.pos = start;
  return fc.block(12 + 8 + a + 13 + 8 + b, 'the header blocks');
}

async function v6CpuTable(fc: FileCursor, cpus: number): Promise<CpuData[]> {
  const out: CpuData[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    const at = fc.pos;
    const offset = await fc.u64('a CPU data offset');
    const size = await fc.u64('a CPU data size');
    if (size > 0 && offset + size > fc.src.size) {
      throw new DatFormatError(
        { offset: at, section: fc.section, cpu },
        `CPU data ${offset}+${size} runs past the end of the file (${fc.src.size} bytes): truncated file?`,
      );
    }
    out.push({ cpu, offset, size });
  }
  return out;
}

// ---- v7: sections found through the options chain ----

const SECTION_HEADER = 16;

async function readSection(src: ByteSource, endian: Endian, codec: Codec | null, offset: number, expect: number): Promise<ByteCursor> {
  const name = SECTION_NAMES[expect] ?? `section ${expect}`;
  if (offset + SECTION_HEADER > src.size) {
    throw new DatFormatError({ offset, section: name }, `section offset ${offset} is past the end of the file (${src.size} bytes)`);
  }
  const h = new ByteCursor(await src.read(offset, SECTION_HEADER), endian, offset, name);
  const id = h.u16('the section id');
  const flags = h.u16('the section flags');
  h.u32('the section string id');
  const size = h.u64Number('the section size');
  if (id !== expect) h.fail(`expected a ${name} section (id ${expect}), found id ${id}`, { offset });
  const dataAt = offset + SECTION_HEADER;
  if (dataAt + size > src.size) {
    throw new DatFormatError({ offset, section: name }, `section size ${size} runs past the end of the file (${src.size} bytes): truncated file?`);
  }
  const raw = await src.read(dataAt, size);
  if (!(flags & 1)) return new ByteCursor(raw, endian, dataAt, name);
  if (!codec) throw new DatFormatError({ offset, section: name }, 'section is flagged compressed but the file names no compression');
  return new ByteCursor(decompressBlock(raw, endian, codec, dataAt, name), endian, dataAt, name, true);
}

/** `u32 compressed size, u32 uncompressed size, data` → the uncompressed bytes. */
export function decompressBlock(raw: Uint8Array, endian: Endian, codec: Codec, at: number, section: string, cpu?: number): Uint8Array {
  const h = new ByteCursor(raw, endian, at, section);
  const csize = h.u32('the compressed size');
  const usize = h.u32('the uncompressed size');
  if (csize > h.remaining) {
    throw new DatFormatError({ offset: at, section, cpu }, `compressed size ${csize} is larger than the ${h.remaining} bytes the block has`);
  }
  if (usize > 1 << 30) throw new DatFormatError({ offset: at, section, cpu }, `uncompressed size ${usize} is implausible (over 1 GiB for one block)`);
  let out: Uint8Array;
  try {
    out = codec.decompress(h.take(csize, 'the compressed data'), usize);
  } catch (e) {
    throw new DatFormatError({ offset: at, section, cpu }, `${codec.name} data does not decompress: ${(e as Error).message}`, { cause: e });
  }
  if (out.length !== usize) {
    throw new DatFormatError({ offset: at, section, cpu }, `${codec.name} block gave ${out.length} bytes, the header says ${usize}`);
  }
  return out;
}

async function readV7(src: ByteSource, p: Collected, endian: Endian, codec: Codec | null, first: number): Promise<void> {
  const seen = new Set<number>();
  for (let next = first; next !== 0;) {
    if (seen.has(next)) throw new DatFormatError({ offset: next, section: 'OPTIONS' }, 'the options sections form a loop');
    seen.add(next);
    const c = await readSection(src, endian, codec, next, 0);
    next = 0;
    for (;;) {
      const id = c.u16('an option id');
      const size = c.u32('an option size');
      const body = new ByteCursor(c.take(size, 'an option'), endian, c.base + c.pos - size, 'OPTIONS', c.compressed);
      if (id === OPT.DONE) {
        next = body.u64Number('the next options offset');
        break;
      }
      parseOption(id, body, p, 7);
    }
  }
  const sec = async (id: number) => {
    const at = p.sections.get(id);
    return at === undefined ? null : readSection(src, endian, codec, at, id);
  };
  const hi = await sec(OPT.HEADER_INFO);
  if (hi) parseHeaderInfo(hi, p);
  const fe = await sec(OPT.FTRACE_EVENTS);
  if (fe) parseFtraceEvents(fe, p);
  const ef = await sec(OPT.EVENT_FORMATS);
  if (ef) parseEventFormats(ef, p);
  const cl = await sec(OPT.CMDLINES);
  if (cl) parseCmdlines(cl, p);
  for (const b of p.buffers) {
    const at = b.at;
    if (at + SECTION_HEADER > src.size) {
      throw new DatFormatError(
        { offset: at, section: 'BUFFER', instance: b.name },
        `flyrecord section offset ${at} is past the end of the file (${src.size} bytes)`,
      );
    }
    const h = new ByteCursor(await src.read(at, SECTION_HEADER), endian, at, 'BUFFER');
    const id = h.u16('the section id');
    const flags = h.u16('the section flags');
    if (id !== OPT.BUFFER) h.fail(`expected a BUFFER section (id 3), found id ${id}`, { offset: at, instance: b.name });
    b.compressed = (flags & 1) === 1;
    if (b.compressed && !codec) h.fail('flyrecord data is flagged compressed but the file names no compression', { offset: at, instance: b.name });
    if (b.name === '' && !p.clock) p.clock = b.clock;
    for (const cd of b.cpus) {
      if (cd.size > 0 && cd.offset + cd.size + (b.compressed ? 4 : 0) > src.size) {
        throw new DatFormatError(
          { offset: cd.offset, section: 'BUFFER', cpu: cd.cpu, instance: b.name },
          `CPU data ${cd.offset}+${cd.size} runs past the end of the file (${src.size} bytes): truncated file?`,
        );
      }
    }
  }
  // The top instance first, as trace-cmd report lists it; the others in option order.
  p.buffers.sort((a, b) => (a.name === '' ? -1 : b.name === '' ? 1 : 0));
}
