// Keeps what pairing needs of each page request and response as the decoders' batches go by
// (lib/trace/event-batch.ts), so that a text or trace.dat ingest pairs without reading its
// events back out of DuckDB (~1 CPU-s per million events under the ingest's memory cap). Each
// batch's events are sorted by (time, line) — a kernel trace almost always already is — and
// written to a spill store (services/spill-file.ts) at about 12 bytes an event, so memory holds
// a few numbers per batch, whatever the trace's size; pairing then reads the batches back
// merged into one (time, line) order, a few thousand events of each at a time.

import { COL, type EventBatch } from './event-batch.ts';
import type { TraceEvent } from './schema.ts';
import { KIND_CODE } from './formats/ftrace/kind-codes.ts';
import { KeyTable, keyInRange, NO_CODE, packKey, pairingOrder, PAIR_LAST, PAIR_RESPONSE, PAIR_SKIP, PAIR_STOP, type PageEventBlock } from './pairing.ts';

export { NO_CODE };

/** Where sealed slices go: appended pieces, read back by position. */
export interface SpillStore {
  /** Appends the bytes; returns the position they start at. */
  append(bytes: ArrayBufferView): number;
  /** Fills into with the bytes stored from position on. */
  read(into: Uint8Array, position: number): void;
}

/** The (IOMMU, device) strings of each key code dk. */
export interface PairingKey {
  iommu: string;
  device: string;
}

/** The events ready to pair, and the strings of each dk. */
export interface CollectedPageEvents {
  n: number;
  keys: PairingKey[];
  /**
   * The events in (timestamp, line) order with their response codes (codes are 0..127,
   * checked as they are collected), a block at a time; a block is reused for the next one.
   */
  blocks(): Generator<PageEventBlock>;
}

/**
 * A stored column: base + an unsigned offset in the narrowest width that holds the slice's
 * range. Within one batch the key refs, lines and flags span little, so most take one or two
 * bytes an event where the whole trace would need four.
 */
interface Narrow {
  base: number;
  width: 1 | 2 | 4;
  /** Where its bytes start in the spill store. */
  at: number;
}

/** One batch's page events, sorted by (time, line), in the spill store: about 12 bytes an event on the bench trace. */
interface Slice {
  part: number;
  rows: number;
  keyRef: Narrow;
  key: Narrow;
  line: Narrow;
  /** PAIR_* flags in the low 4 bits; above them 0 for no response code, else the code + 1. */
  flagsCode: Narrow;
  /** The earliest timestamp's int32 halves, the first event's: times are kept as offsets from it. */
  tsLo: number;
  tsHi: number;
  /** Where the times start: uint32 offsets from (tsLo, tsHi) when the slice spans under 2^32 ns (4.3 s), else int32 halves. */
  tsAt: number;
  tsDelta: boolean;
  /** The first event's line, within its part: with (tsLo, tsHi), where the merge starts the slice. */
  firstLine: number;
}

/**
 * The events of a slice being filled, wide, until sealed into a Slice. The columns that are
 * narrowed share one array type, so narrow() stays monomorphic: with three input types it
 * had doubled the collector's time.
 */
class Scratch {
  keyRef = new Float64Array(0);
  key = new Float64Array(0);
  ts = new Int32Array(0);
  line = new Float64Array(0);
  flagsCode = new Float64Array(0);

  ensure(rows: number): void {
    if (rows <= this.key.length) return;
    this.keyRef = new Float64Array(rows);
    this.key = new Float64Array(rows);
    this.ts = new Int32Array(2 * rows);
    this.line = new Float64Array(rows);
    this.flagsCode = new Float64Array(rows);
  }

  /** Sorts the first rows by (time, line) and writes them to spill as a slice of part. */
  seal(rows: number, part: number, spill: SpillStore): Slice {
    if (!this.sorted(rows)) this.sort(rows);
    const ts = this.ts;
    const lo = ts[0]!;
    const hi = ts[1]!;
    // Exact in a double: the span is only kept when it is below 2^32.
    const span = (ts[2 * rows - 1]! - hi) * 4294967296 + (ts[2 * rows - 2]! >>> 0) - (lo >>> 0);
    const tsDelta = span < 4294967296;
    let tsAt: number;
    if (tsDelta) {
      const delta = new Uint32Array(rows);
      for (let k = 0; k < rows; k++) delta[k] = (ts[2 * k + 1]! - hi) * 4294967296 + (ts[2 * k]! >>> 0) - (lo >>> 0);
      tsAt = spill.append(delta);
    } else tsAt = spill.append(ts.subarray(0, 2 * rows));
    return {
      part,
      rows,
      keyRef: narrow(this.keyRef, rows, spill),
      key: narrow(this.key, rows, spill),
      line: narrow(this.line, rows, spill),
      flagsCode: narrow(this.flagsCode, rows, spill),
      tsLo: lo,
      tsHi: hi,
      tsAt,
      tsDelta,
      firstLine: this.line[0]!,
    };
  }

  private sorted(rows: number): boolean {
    const { ts, line } = this;
    for (let k = 1; k < rows; k++) {
      const hi = ts[2 * k + 1]!;
      const prevHi = ts[2 * k - 1]!;
      if (hi > prevHi) continue;
      if (hi < prevHi) return false;
      const lo = ts[2 * k]! >>> 0;
      const prevLo = ts[2 * k - 2]! >>> 0;
      if (lo < prevLo || (lo === prevLo && line[k]! < line[k - 1]!)) return false;
    }
    return true;
  }

  private sort(rows: number): void {
    const order = pairingOrder({ n: rows, ts: this.ts, line: this.line });
    const permuted = (a: Float64Array) => {
      const b = new Float64Array(a.length);
      for (let k = 0; k < rows; k++) b[k] = a[order[k]!]!;
      return b;
    };
    this.keyRef = permuted(this.keyRef);
    this.key = permuted(this.key);
    this.line = permuted(this.line);
    this.flagsCode = permuted(this.flagsCode);
    const ts = new Int32Array(this.ts.length);
    for (let k = 0; k < rows; k++) {
      ts[2 * k] = this.ts[2 * order[k]!]!;
      ts[2 * k + 1] = this.ts[2 * order[k]! + 1]!;
    }
    this.ts = ts;
  }
}

function narrow(values: Float64Array, rows: number, spill: SpillStore): Narrow {
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < rows; k++) {
    const v = values[k]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  // One loop per array type keeps each store monomorphic.
  if (range < 256) {
    const data = new Uint8Array(rows);
    for (let k = 0; k < rows; k++) data[k] = values[k]! - min;
    return { base: min, width: 1, at: spill.append(data) };
  }
  if (range < 65536) {
    const data = new Uint16Array(rows);
    for (let k = 0; k < rows; k++) data[k] = values[k]! - min;
    return { base: min, width: 2, at: spill.append(data) };
  }
  const data = new Uint32Array(rows);
  for (let k = 0; k < rows; k++) data[k] = values[k]! - min;
  return { base: min, width: 4, at: spill.append(data) };
}

/** The stored code field of a response code (null for none): decoders and the simulator parser give 0, 1 or 2. */
function codeField(c: number | null, line: number, part: number): number {
  if (c === null) return 0;
  if (c < 0 || c > 127) throw new Error(`pairing: response code ${c} at line ${line} of part ${part} is out of range`);
  return c + 1;
}

/** The code of a name, given on first sight and recorded with its text. */
function nameCode(codes: Map<string, number>, texts: Map<number, string>, name: string): number {
  let c = codes.get(name);
  if (c === undefined) {
    c = codes.size;
    codes.set(name, c);
    texts.set(c, name);
  }
  return c;
}

const REQUEST = KIND_CODE.page_request;
const RESPONSE = KIND_CODE.page_response;

const isSet = (valid: Uint32Array | null, r: number) => valid === null || (valid[r >>> 5]! & (1 << (r & 31))) !== 0;

export interface CollectorOptions {
  /** Rows addEvent gathers before sealing them into a slice. */
  sliceRows?: number;
  /** Rows of a slice read back at a time while merging. */
  readRows?: number;
}

export class PageEventCollector {
  private readonly slices: Slice[] = [];
  private readonly iommus = new Map<number, string>();
  private readonly devices = new Map<number, string>();
  /** Key refs: ≥ 0 a slot of (IOMMU code, device code); < 0 −1 − a slot of (IOMMU code, RID), a response named by RID. */
  private readonly byCodes = new KeyTable();
  private readonly byRid = new KeyTable();
  private readonly codesOf: [number, number][] = [];
  private readonly ridOf: [number, number][] = [];
  private readonly scratch = new Scratch();
  /** The first event whose PASID or PRG index is outside its field (decoders never write one). */
  private badKey: { part: number; line: number } | null = null;
  /** For addEvent: codes given to IOMMU and device names, and the rows of part 0 in the scratch. */
  private readonly iommuCode = new Map<string, number>();
  private readonly deviceCode = new Map<string, number>();
  private open = 0;
  private readonly sliceRows: number;
  private readonly readRows: number;

  constructor(
    private readonly spill: SpillStore,
    opts: CollectorOptions = {},
  ) {
    this.sliceRows = opts.sliceRows ?? 1 << 16;
    this.readRows = opts.readRows ?? 1 << 12;
  }

  add(b: EventBatch): void {
    for (const [code, text] of b.dict.iommu) this.iommus.set(code, text);
    for (const [code, text] of b.dict.device) this.devices.set(code, text);
    if (b.rows === 0) return;
    this.sealOpen();
    const u8 = (c: number) => new Uint8Array(b.data[c]!);
    const i32 = (c: number) => new Int32Array(b.data[c]!);
    const valid = (c: number) => (b.valid[c] ? new Uint32Array(b.valid[c]!) : null);
    const part = u8(COL.part)[0]!;
    const kind = u8(COL.kind);
    const [iommu, device, rid, pasid, prgi, ts, line, last, perm, code] = [
      COL.iommu,
      COL.device,
      COL.rid,
      COL.pasid,
      COL.prgi,
      COL.ts_ns,
      COL.line,
      COL.last,
      COL.perm,
      COL.code,
    ];
    const iommuV = valid(iommu);
    const deviceV = valid(device);
    const ridV = valid(rid);
    const pasidV = valid(pasid);
    const prgiV = valid(prgi);
    const tsV = valid(ts);
    const lastV = valid(last);
    const permV = valid(perm);
    const codeV = valid(code);
    const iommuA = i32(iommu);
    const deviceA = i32(device);
    const ridA = i32(rid);
    const pasidA = i32(pasid);
    const prgiA = i32(prgi);
    const tsA = i32(ts);
    const lineA = new Uint32Array(b.data[line]!);
    const lastA = u8(last);
    const permA = u8(perm);
    const codeA = new Int16Array(b.data[code]!);
    const s = this.scratch;
    s.ensure(b.rows);
    let k = 0;
    for (let r = 0; r < b.rows; r++) {
      const kd = kind[r];
      if (kd !== REQUEST && kd !== RESPONSE) continue;
      if (!isSet(tsV, r)) throw new Error(`pairing: page event without a timestamp at line ${lineA[r]} of part ${part}`);
      const ic = isSet(iommuV, r) ? iommuA[r]! : -1;
      const dc = isSet(deviceV, r) ? deviceA[r]! : -1;
      const isLast = isSet(lastV, r) && lastA[r] !== 0;
      if (kd === RESPONSE && dc < 0 && isSet(ridV, r)) {
        const slot = this.byRid.slot(ic + 1, ridA[r]!);
        if (this.byRid.fresh) this.ridOf.push([ic, ridA[r]!]);
        s.keyRef[k] = -1 - slot;
      } else {
        const slot = this.byCodes.slot(ic + 1, dc + 1);
        if (this.byCodes.fresh) this.codesOf.push([ic, dc]);
        s.keyRef[k] = slot;
      }
      const p = isSet(pasidV, r) ? pasidA[r]! : -1;
      const q = isSet(prgiV, r) ? prgiA[r]! : -1;
      if (!keyInRange(p, q)) this.badKey ??= { part, line: lineA[r]! };
      s.key[k] = packKey(p, q);
      s.ts[2 * k] = tsA[2 * r]!;
      s.ts[2 * k + 1] = tsA[2 * r + 1]!;
      s.line[k] = lineA[r]!;
      // A stop marker asks for no access (perm bits 0); unknown access (NULL) makes it neither, as in SQL.
      let f = (kd === RESPONSE ? PAIR_RESPONSE : 0) | (isLast ? PAIR_LAST : 0);
      if (kd === REQUEST && isLast && isSet(permV, r) && permA[r] === 0) f |= PAIR_STOP;
      if (kd === REQUEST && isLast && !isSet(permV, r)) f |= PAIR_SKIP;
      s.flagsCode[k] = f | (codeField(isSet(codeV, r) ? codeA[r]! : null, lineA[r]!, part) << 4);
      k++;
    }
    if (k > 0) this.slices.push(s.seal(k, part, this.spill));
  }

  /**
   * One parsed event (the simulator formats, parsed row by row in JS; one part): what add()
   * keeps of a batch row, with the names given codes here.
   */
  addEvent(e: TraceEvent): void {
    if (e.kind !== 'page_request' && e.kind !== 'page_response') return;
    if (e.tsNs === null) throw new Error(`pairing: page event without a timestamp at line ${e.line}`);
    const s = this.scratch;
    if (this.open === s.key.length) {
      this.sealOpen();
      s.ensure(this.sliceRows);
    }
    const k = this.open++;
    const ic = e.iommu === null ? -1 : nameCode(this.iommuCode, this.iommus, e.iommu);
    const dc = e.device === null ? -1 : nameCode(this.deviceCode, this.devices, e.device);
    const slot = this.byCodes.slot(ic + 1, dc + 1);
    if (this.byCodes.fresh) this.codesOf.push([ic, dc]);
    s.keyRef[k] = slot;
    const p = e.pasid ?? -1;
    const q = e.prgi ?? -1;
    if (!keyInRange(p, q)) this.badKey ??= { part: 0, line: e.line };
    s.key[k] = packKey(p, q);
    s.ts[2 * k] = Number(BigInt.asIntN(32, e.tsNs));
    s.ts[2 * k + 1] = Number(BigInt.asIntN(32, e.tsNs >> 32n));
    s.line[k] = e.line;
    const isLast = e.last === true;
    let f = (e.kind === 'page_response' ? PAIR_RESPONSE : 0) | (isLast ? PAIR_LAST : 0);
    if (e.kind === 'page_request' && isLast && e.perm === '') f |= PAIR_STOP;
    if (e.kind === 'page_request' && isLast && e.perm === null) f |= PAIR_SKIP;
    s.flagsCode[k] = f | (codeField(e.code, e.line, 0) << 4);
  }

  /** addEvent's rows so far become a slice of part 0. */
  private sealOpen(): void {
    if (this.open === 0) return;
    this.slices.push(this.scratch.seal(this.open, 0, this.spill));
    this.open = 0;
  }

  /**
   * The collected events, lines made file-wide with each part's first line (base), and the
   * device of a response named by RID from ridDevice (storeStaged's rule).
   */
  finish(base: readonly number[], ridDevice: (iommu: string, rid: number) => string | null): CollectedPageEvents {
    this.sealOpen();
    // Decoders reject such a line as bad; one here is a decoder's bug, and would merge keys.
    if (this.badKey) throw new Error(`pairing: pasid or prgi out of range at line ${base[this.badKey.part]! + this.badKey.line}`);
    const keys: PairingKey[] = [];
    const dkOfKey = new Map<string, number>();
    const dkOf = (iommu: string, device: string) => {
      const key = `${iommu}\0${device}`;
      let dk = dkOfKey.get(key);
      if (dk === undefined) {
        dk = keys.length;
        keys.push({ iommu, device });
        dkOfKey.set(key, dk);
      }
      return dk;
    };
    const codesDk = Int32Array.from(this.codesOf, ([ic, dc]) => dkOf(this.iommus.get(ic) ?? '', this.devices.get(dc) ?? ''));
    const ridDk = Int32Array.from(this.ridOf, ([ic, rid]) => {
      const name = this.iommus.get(ic);
      return dkOf(name ?? '', (name === undefined ? null : ridDevice(name, rid)) ?? '');
    });
    const slices = this.slices.splice(0);
    const { spill, readRows } = this;
    return {
      n: slices.reduce((a, s) => a + s.rows, 0),
      keys,
      blocks: () => merged(slices.map((s) => new Run(s, base[s.part]!, codesDk, ridDk, readRows, spill))),
    };
  }
}

/** Rows of a merged block. */
const BLOCK_ROWS = 1 << 13;

/** A slice being read back: the rows of its current block, decoded, and the first not yet merged. */
class Run {
  dk: Int32Array;
  key: Int32Array;
  /** Int64 times as int32 halves, low first, as in PairingEvents. */
  ts: Int32Array;
  line: Uint32Array;
  flags: Uint8Array;
  code: Int8Array;
  /** The block's rows, the next to merge, and the slice's first row after the block. */
  rows = 0;
  pos = 0;
  next = 0;

  constructor(
    private readonly s: Slice,
    private readonly lineBase: number,
    private readonly codesDk: Int32Array,
    private readonly ridDk: Int32Array,
    private readonly readRows: number,
    private readonly spill: SpillStore,
  ) {
    // Empty until the run is first merged from: until then its head is its slice's first event.
    this.dk = this.key = this.ts = new Int32Array(0);
    this.line = new Uint32Array(0);
    this.flags = new Uint8Array(0);
    this.code = new Int8Array(0);
  }

  /** The head's time halves and line: the slice's first event before the run is loaded. */
  headHi(): number {
    return this.rows === 0 ? this.s.tsHi : this.ts[2 * this.pos + 1]!;
  }
  headLo(): number {
    return this.rows === 0 ? this.s.tsLo : this.ts[2 * this.pos]!;
  }
  headLine(): number {
    return this.rows === 0 ? this.lineBase + this.s.firstLine : this.line[this.pos]!;
  }

  /** The rows from the head to the end of the block, as a block of their own (views, valid until the next load). */
  rest(): PageEventBlock {
    const { pos, rows } = this;
    return {
      events: {
        n: rows - pos,
        dk: this.dk.subarray(pos, rows),
        key: this.key.subarray(pos, rows),
        ts: this.ts.subarray(2 * pos, 2 * rows),
        line: this.line.subarray(pos, rows),
        flags: this.flags.subarray(pos, rows),
      },
      code: this.code.subarray(pos, rows),
    };
  }

  /** Whether the slice has rows beyond the current block. */
  more(): boolean {
    return this.next < this.s.rows;
  }

  /** Decodes the slice's next rows into the block. */
  load(): void {
    const s = this.s;
    const from = this.next;
    const n = Math.min(this.readRows, s.rows - from);
    if (this.dk.length < n) {
      this.dk = new Int32Array(this.readRows);
      this.key = new Int32Array(this.readRows);
      this.ts = new Int32Array(2 * this.readRows);
      this.line = new Uint32Array(this.readRows);
      this.flags = new Uint8Array(this.readRows);
      this.code = new Int8Array(this.readRows);
    }
    const ref = this.read(s.keyRef, from, n);
    for (let k = 0; k < n; k++) {
      const r = s.keyRef.base + ref[k]!;
      this.dk[k] = r >= 0 ? this.codesDk[r]! : this.ridDk[-1 - r]!;
    }
    const key = this.read(s.key, from, n);
    for (let k = 0; k < n; k++) this.key[k] = s.key.base + key[k]!;
    const line = this.read(s.line, from, n);
    const lineBase = this.lineBase + s.line.base;
    for (let k = 0; k < n; k++) this.line[k] = lineBase + line[k]!;
    const fcs = this.read(s.flagsCode, from, n);
    for (let k = 0; k < n; k++) {
      const fc = s.flagsCode.base + fcs[k]!;
      this.flags[k] = fc & 15;
      this.code[k] = fc >> 4 === 0 ? NO_CODE : (fc >> 4) - 1;
    }
    if (s.tsDelta) {
      const bytes = new Uint8Array(4 * n);
      this.spill.read(bytes, s.tsAt + 4 * from);
      const delta = new Uint32Array(bytes.buffer);
      const lo = s.tsLo >>> 0;
      for (let k = 0; k < n; k++) {
        const l = lo + delta[k]!;
        // Assigning to an Int32Array keeps the low 32 bits; the carry goes to the high half.
        this.ts[2 * k] = l;
        this.ts[2 * k + 1] = s.tsHi + (l >= 4294967296 ? 1 : 0);
      }
    } else this.spill.read(new Uint8Array(this.ts.buffer, 0, 8 * n), s.tsAt + 8 * from);
    this.rows = n;
    this.pos = 0;
    this.next = from + n;
  }

  /** Rows [from, from + n) of a stored column, as offsets from its base. */
  private read(c: Narrow, from: number, n: number): Uint8Array | Uint16Array | Uint32Array {
    const bytes = new Uint8Array(c.width * n);
    this.spill.read(bytes, c.at + c.width * from);
    return c.width === 1 ? bytes : c.width === 2 ? new Uint16Array(bytes.buffer) : new Uint32Array(bytes.buffer);
  }
}

/** Whether event (ahi, alo, aline) comes before (bhi, blo, bline) in (time, line) order. */
const before = (ahi: number, alo: number, aline: number, bhi: number, blo: number, bline: number) =>
  ahi < bhi || (ahi === bhi && (alo >>> 0 < blo >>> 0 || (alo === blo && aline < bline)));

const runBefore = (a: Run, b: Run) => before(a.headHi(), a.headLo(), a.headLine(), b.headHi(), b.headLo(), b.headLine());

/**
 * The runs merged into (time, line) order through a heap on their heads. The top run is
 * copied from until its head passes the next run's; a block of it that comes wholly first is
 * handed over uncopied, which on a trace in time order is every block.
 */
function* merged(runs: Run[]): Generator<PageEventBlock> {
  const heap = runs.slice();
  const siftDown = (at: number) => {
    const r = heap[at]!;
    for (;;) {
      let c = 2 * at + 1;
      if (c >= heap.length) break;
      if (c + 1 < heap.length && runBefore(heap[c + 1]!, heap[c]!)) c++;
      if (!runBefore(heap[c]!, r)) break;
      heap[at] = heap[c]!;
      at = c;
    }
    heap[at] = r;
  };
  for (let at = (heap.length >> 1) - 1; at >= 0; at--) siftDown(at);
  const events = {
    n: 0,
    dk: new Int32Array(BLOCK_ROWS),
    key: new Int32Array(BLOCK_ROWS),
    ts: new Int32Array(2 * BLOCK_ROWS),
    line: new Uint32Array(BLOCK_ROWS),
    flags: new Uint8Array(BLOCK_ROWS),
  };
  const block: PageEventBlock = { events, code: new Int8Array(BLOCK_ROWS) };
  while (heap.length > 0) {
    const r = heap[0]!;
    if (r.rows === 0) r.load();
    // The runs' heads are distinct events, so the top's is strictly first.
    let limit: Run | null = heap.length > 1 ? heap[1]! : null;
    if (heap.length > 2 && runBefore(heap[2]!, limit!)) limit = heap[2]!;
    const limHi = limit ? limit.headHi() : 0;
    const limLo = limit ? limit.headLo() : 0;
    const limLine = limit ? limit.headLine() : 0;
    const beforeLimit = (i: number) => !limit || before(r.ts[2 * i + 1]!, r.ts[2 * i]!, r.line[i]!, limHi, limLo, limLine);
    if (events.n === 0 && beforeLimit(r.rows - 1)) {
      // The rest of the block comes before every other run: handed over as it is, uncopied.
      yield r.rest();
      r.pos = r.rows;
    } else {
      let n = events.n;
      let pos = r.pos;
      while (pos < r.rows && n < BLOCK_ROWS && beforeLimit(pos)) {
        events.dk[n] = r.dk[pos]!;
        events.key[n] = r.key[pos]!;
        events.ts[2 * n] = r.ts[2 * pos]!;
        events.ts[2 * n + 1] = r.ts[2 * pos + 1]!;
        events.line[n] = r.line[pos]!;
        events.flags[n] = r.flags[pos]!;
        block.code[n] = r.code[pos]!;
        n++;
        pos++;
      }
      events.n = n;
      r.pos = pos;
      if (n === BLOCK_ROWS) {
        yield block;
        events.n = 0;
      }
    }
    if (r.pos === r.rows) {
      if (r.more()) r.load();
      else {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
    }
    if (heap.length > 0) siftDown(0);
  }
  if (events.n > 0) yield block;
}
