// Streams a trace.dat as batches of rows: every CPU of every instance decoded page by page,
// merged by timestamp exactly as `trace-cmd report` orders them (smallest timestamp first;
// ties go to the earlier instance, then the lower CPU), a `lost` row before the first
// record of a page that lost events, task names from the saved cmdlines. Rows carry the
// ftrace decoder that owns the event and its message as the text form prints it
// (pri-events.ts), which decode.ts turns into event batches.

import type { FtraceEventFormat } from '../ftrace/event-format.ts';
import { DatFormatError } from './errors.ts';
import { PayloadReader, type FieldDef } from './event-format.ts';
import { CpuPages, type PageWindow } from './cpu-stream.ts';
import { readDatMetadata, type DatFile, type TimeCorrection } from './metadata.ts';
import { mapperFor, type Mapper } from './pri-events.ts';
import { PageDecoder, type PageRecords } from './ring-page.ts';
import type { ByteSource } from './source.ts';

export interface DatRow {
  /** Corrected timestamp in ns (null for lost rows, as in the text form). */
  tsNs: bigint | null;
  cpu: number;
  task: string | null;
  pid: number | null;
  event: string | null;
  /** 'lost' for a lost-events marker, 'event' for a record, 'bad' for a record that cannot be read. */
  type: 'lost' | 'event' | 'bad';
  owner: FtraceEventFormat | null;
  msg: string | null;
  /** Lost rows: the count (null when the kernel did not store it). Bad rows: unused. */
  lostCount: bigint | null;
  /** Bad rows: why, with the record's location. */
  bad: string | null;
}

export interface DatBatch {
  rows: DatRow[];
  /** File bytes of ring-buffer data consumed so far, and in all. */
  bytesDone: number;
  bytesTotal: number;
}

interface EventInfo {
  name: string;
  pid: FieldDef;
  map: Mapper;
}

class Cursor {
  window: PageWindow | null = null;
  pageAt = 0;
  page: PageRecords | null = null;
  i = 0;
  ts = 0n;
  constructor(
    readonly pages: CpuPages,
    readonly order: number,
    readonly cpu: number,
    readonly pageSize: number,
    readonly decoder: PageDecoder,
    readonly correct: (ts: bigint) => bigint,
  ) {}

  /** Moves to the next record; false at the end of this CPU's data. */
  async advance(onConsumed: (n: number) => void): Promise<boolean> {
    if (this.page && ++this.i < this.page.ts.length) {
      this.ts = this.correct(this.page.ts[this.i]!);
      return true;
    }
    for (;;) {
      if (this.window && this.pageAt + this.pageSize <= this.window.view.byteLength) {
        const at = this.pageAt;
        this.pageAt += this.pageSize;
        const page = this.decoder.decode(this.window.view, at);
        if (page.fault) {
          const w = this.window;
          throw new DatFormatError(
            {
              offset: w.compressed ? w.fileOffset : w.fileOffset + at + page.fault.at,
              section: 'flyrecord',
              cpu: this.cpu,
              instance: this.pages.where.instance || undefined,
            },
            `corrupt ring-buffer page${w.compressed ? ` (byte ${at + page.fault.at} of the decompressed chunk)` : ''}: ${page.fault.reason}`,
          );
        }
        if (page.ts.length === 0) continue;
        this.page = page;
        this.i = 0;
        this.ts = this.correct(page.ts[0]!);
        return true;
      }
      this.window = await this.pages.next();
      this.pageAt = 0;
      if (!this.window) return false;
      onConsumed(this.window.consumed);
    }
  }

  payload(): Uint8Array {
    const p = this.page!;
    const start = p.start[this.i]!;
    return this.window!.bytes.subarray(this.pageAt - this.pageSize + start, this.pageAt - this.pageSize + start + p.len[this.i]!);
  }
}

/** timestamp_calc() of trace-cmd: guest time sync, TSC→ns, then OFFSET/DATE. */
export function timeCorrector(t: TimeCorrection, cpu: number): (ts: bigint) => bigint {
  const samples = t.timeShift?.cpus[cpu] ?? null;
  const interpolate = ((t.timeShift?.flags ?? 0) & 1) === 1;
  const tsc = t.tsc2nsec;
  const offset = t.offset;
  if (!samples && !tsc && offset === 0n) return (ts) => ts;
  return (raw) => {
    let ts = raw;
    if (samples && samples.length > 0) ts = hostSync(ts, samples, interpolate);
    if (tsc) ts = mulShr(ts, tsc.mult, tsc.shift);
    return BigInt.asUintN(64, ts + offset);
  };
}

function mulShr(a: bigint, mul: bigint, shift: bigint): bigint {
  const al = a & 0xffffffffn;
  const ah = a >> 32n;
  let r = (al * mul) >> shift;
  if (ah) r += (ah * mul) << (32n - shift);
  return BigInt.asUintN(64, r);
}

function hostSync(ts: bigint, s: { time: bigint; offset: bigint; scaling: bigint; fraction: bigint }[], interpolate: boolean): bigint {
  if (s.length === 1) return ts + s[0]!.offset;
  const calc = (min: (typeof s)[number], max: (typeof s)[number]) => {
    let cor = min.offset;
    if (interpolate) {
      const delta = max.time - min.time;
      const off = (BigInt.asIntN(64, ts) - min.time) * (max.offset - min.offset);
      cor = min.offset + (off + delta / 2n) / delta;
    }
    const scaled = (ts * min.scaling) >> min.fraction;
    return BigInt.asUintN(64, scaled + cor);
  };
  if (s.length === 2 || ts <= s[0]!.time) return calc(s[0]!, s[1]!);
  if (ts >= s[s.length - 1]!.time) return calc(s[s.length - 2]!, s[s.length - 1]!);
  let lo = 0;
  let hi = s.length - 1;
  let mid = (lo + hi) >> 1;
  while (lo <= hi) {
    if (ts < s[mid]!.time) hi = mid - 1;
    else if (ts > s[mid]!.time) lo = mid + 1;
    else break;
    mid = (lo + hi) >> 1;
  }
  return calc(s[mid]!, s[mid + 1]!);
}

/** Min-heap of cursors by (timestamp, order). */
class Heap {
  private a: Cursor[] = [];
  get size() {
    return this.a.length;
  }
  private less(x: Cursor, y: Cursor) {
    return x.ts < y.ts || (x.ts === y.ts && x.order < y.order);
  }
  push(c: Cursor) {
    const a = this.a;
    a.push(c);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  top(): Cursor {
    return this.a[0]!;
  }
  pop(): Cursor {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      this.down(0);
    }
    return top;
  }
  /** The top's key changed: restore the heap. */
  fix() {
    this.down(0);
  }
  private down(i: number) {
    const a = this.a;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
      if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
  }
}

export interface DatReadOptions {
  batchSize?: number;
}

/** Reads the file's metadata, then yields its records in report order, batchSize rows at a time. */
export async function* readDat(src: ByteSource, opts: DatReadOptions = {}): AsyncGenerator<DatBatch, DatFile> {
  const meta = await readDatMetadata(src);
  const batchSize = opts.batchSize ?? 8192;
  const reader = new PayloadReader(meta.endian);
  const events = new Map<number, EventInfo>();
  for (const [id, ev] of meta.events) {
    const pid = ev.byName.get('common_pid')!;
    events.set(id, { name: ev.name, pid, map: mapperFor(ev, meta.longSize) });
  }
  const commonType = [...meta.events.values()][0]?.byName.get('common_type');
  const task = (pid: number) => meta.cmdlines.get(pid) ?? (pid === 0 ? '<idle>' : '<...>');

  let bytesTotal = 0;
  // A compressed CPU's u32 chunk count lies outside its recorded size (cpu-stream.ts).
  for (const b of meta.buffers) for (const c of b.cpus) bytesTotal += c.size + (b.compressed && c.size > 0 ? 4 : 0);
  let bytesDone = 0;
  const consumed = (n: number) => {
    bytesDone += n;
  };

  const heap = new Heap();
  let order = 0;
  for (const b of meta.buffers) {
    const pageSize = b.pageSize || meta.pageSize;
    const decoder = new PageDecoder(meta.endian, meta.layout, pageSize);
    // trace-cmd indexes CPUs by id, so on equal timestamps the lower CPU id wins whatever the file order.
    for (const c of [...b.cpus].sort((x, y) => x.cpu - y.cpu)) {
      const cur = new Cursor(
        new CpuPages(src, meta.endian, b.compressed ? meta.codec : null, pageSize, { cpu: c.cpu, instance: b.name }, c.offset, c.size),
        order++,
        c.cpu,
        pageSize,
        decoder,
        timeCorrector(meta.time, c.cpu),
      );
      if (c.size > 0 && (await cur.advance(consumed))) heap.push(cur);
    }
  }

  let rows: DatRow[] = [];
  while (heap.size) {
    const cur = heap.top();
    const page = cur.page!;
    if (cur.i === 0 && page.lost !== 0) {
      rows.push({
        tsNs: null,
        cpu: cur.cpu,
        task: null,
        pid: null,
        event: null,
        type: 'lost',
        owner: null,
        msg: null,
        lostCount: page.lost > 0 ? BigInt(page.lost) : null,
        bad: null,
      });
    }
    reader.load(cur.payload());
    const type = commonType ? reader.small(commonType) : null;
    const info = type === null ? undefined : events.get(type);
    const pid = info ? reader.small(info.pid) : null;
    if (!info || pid === null) {
      rows.push({
        tsNs: cur.ts,
        cpu: cur.cpu,
        task: null,
        pid: null,
        event: null,
        type: 'bad',
        owner: null,
        msg: null,
        lostCount: null,
        bad: info ? `${info.name} record too short for its common fields` : `record type ${type ?? '?'} has no event format in the file`,
      });
    } else {
      const m = info.map(reader);
      rows.push({
        tsNs: cur.ts,
        cpu: cur.cpu,
        task: task(pid),
        pid,
        event: info.name,
        type: m ? 'event' : 'bad',
        owner: m?.owner ?? null,
        msg: m?.msg ?? null,
        lostCount: null,
        bad: m ? null : `${info.name} record too short for the fields its format declares`,
      });
    }
    if (await cur.advance(consumed)) heap.fix();
    else heap.pop();
    if (rows.length >= batchSize) {
      yield { rows, bytesDone, bytesTotal };
      rows = [];
    }
  }
  yield { rows, bytesDone, bytesTotal };
  return meta;
}
