// Keeps what pairing needs of each page request and response as the decoders' batches go by
// (lib/trace/event-batch.ts), so that a text or trace.dat ingest pairs without reading its
// events back out of DuckDB: about 12 bytes an event, against the ~1 CPU-s per million events a
// read-back of the stage cost under the ingest's memory cap. Batches of one part arrive in
// line order, so the parts laid end to end are in file order and need no sort by line.

import { COL, type EventBatch } from './event-batch.ts';
import type { TraceEvent } from './schema.ts';
import { KIND_CODE } from './formats/ftrace/kind-codes.ts';
import { KeyTable, keyInRange, packKey, PAIR_LAST, PAIR_RESPONSE, PAIR_SKIP, PAIR_STOP, type PairingEvents } from './pairing.ts';

/** The (IOMMU, device) strings of each key code dk. */
export interface PairingKey {
  iommu: string;
  device: string;
}

/** Events ready to pair, with each one's response code (NO_CODE where none) and the strings of each dk. */
export interface CollectedPageEvents {
  events: PairingEvents;
  /** One byte an event: codes are 0..127 (checked as they are collected), held beside the events while they pair. */
  code: Int8Array;
  keys: PairingKey[];
}

/** Stands for a NULL response code in `code`. */
export const NO_CODE = -1;

/**
 * A column stored as base + an unsigned offset in the narrowest array that holds the slice's
 * range: within one batch the key refs, lines and flags span little, so most take one or two
 * bytes an event where the whole trace would need four.
 */
interface Narrow {
  base: number;
  data: Uint8Array | Uint16Array | Uint32Array;
}

/**
 * One batch's page events, 12 bytes an event on the bench trace against 22 kept wide: the
 * collector's arrays are resident through the whole decode, beside the decode workers and
 * DuckDB's buffer pool, which is the ingest's memory peak.
 */
interface Slice {
  rows: number;
  keyRef: Narrow;
  key: Narrow;
  line: Narrow;
  /** PAIR_* flags in the low 4 bits; above them 0 for no response code, else the code + 1. */
  flagsCode: Narrow;
  /** The earliest timestamp's int32 halves: times are kept as offsets from it. */
  tsLo: number;
  tsHi: number;
  /** Offsets from (tsLo, tsHi) when the slice spans under 2^32 ns (4.3 s), else null and the times are in tsWide. */
  tsDelta: Uint32Array | null;
  tsWide: Int32Array | null;
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

  seal(rows: number): Slice {
    const ts = this.ts;
    let lo = 0;
    let hi = 0;
    let maxLo = 0;
    let maxHi = 0;
    for (let k = 0; k < rows; k++) {
      const l = ts[2 * k]!;
      const h = ts[2 * k + 1]!;
      if (k === 0 || h < hi || (h === hi && l >>> 0 < lo >>> 0)) {
        lo = l;
        hi = h;
      }
      if (k === 0 || h > maxHi || (h === maxHi && l >>> 0 > maxLo >>> 0)) {
        maxLo = l;
        maxHi = h;
      }
    }
    // Exact in a double: the span is only kept when it is below 2^32.
    const span = (maxHi - hi) * 4294967296 + (maxLo >>> 0) - (lo >>> 0);
    let tsDelta: Uint32Array | null = null;
    let tsWide: Int32Array | null = null;
    if (span < 4294967296) {
      tsDelta = new Uint32Array(rows);
      for (let k = 0; k < rows; k++) tsDelta[k] = (ts[2 * k + 1]! - hi) * 4294967296 + (ts[2 * k]! >>> 0) - (lo >>> 0);
    } else tsWide = ts.slice(0, 2 * rows);
    return {
      rows,
      keyRef: narrow(this.keyRef, rows),
      key: narrow(this.key, rows),
      line: narrow(this.line, rows),
      flagsCode: narrow(this.flagsCode, rows),
      tsLo: lo,
      tsHi: hi,
      tsDelta,
      tsWide,
    };
  }
}

function narrow(values: Float64Array, rows: number): Narrow {
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < rows; k++) {
    const v = values[k]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (rows === 0) return { base: 0, data: new Uint8Array(0) };
  const range = max - min;
  // One loop per array type keeps each store monomorphic.
  if (range < 256) {
    const data = new Uint8Array(rows);
    for (let k = 0; k < rows; k++) data[k] = values[k]! - min;
    return { base: min, data };
  }
  if (range < 65536) {
    const data = new Uint16Array(rows);
    for (let k = 0; k < rows; k++) data[k] = values[k]! - min;
    return { base: min, data };
  }
  const data = new Uint32Array(rows);
  for (let k = 0; k < rows; k++) data[k] = values[k]! - min;
  return { base: min, data };
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

export class PageEventCollector {
  private readonly parts: Slice[][] = [];
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
    if (k > 0) (this.parts[part] ??= []).push(s.seal(k));
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
      s.ensure(ADD_EVENT_ROWS);
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
    (this.parts[0] ??= []).push(this.scratch.seal(this.open));
    this.open = 0;
  }

  /**
   * The collected events in file order, lines made file-wide with each part's first line
   * (base), and the device of a response named by RID from ridDevice (storeStaged's rule).
   */
  finish(base: readonly number[], ridDevice: (iommu: string, rid: number) => string | null, release: (events: number) => void): CollectedPageEvents {
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
    const codesDk = this.codesOf.map(([ic, dc]) => dkOf(this.iommus.get(ic) ?? '', this.devices.get(dc) ?? ''));
    const ridDk = this.ridOf.map(([ic, rid]) => {
      const name = this.iommus.get(ic);
      return dkOf(name ?? '', (name === undefined ? null : ridDevice(name, rid)) ?? '');
    });
    let n = 0;
    for (const slices of this.parts) for (const s of slices ?? []) n += s.rows;
    const events: PairingEvents = {
      n,
      dk: new Int32Array(n),
      key: new Int32Array(n),
      ts: new Int32Array(2 * n),
      line: new Uint32Array(n),
      flags: new Uint8Array(n),
    };
    const code = new Int8Array(n);
    let at = 0;
    let releasedAt = 0;
    // Each slice is let go once copied and release (a garbage collection, from the store) runs
    // every eighth of the events, so the copy holds little more than its own arrays at its peak.
    this.parts.forEach((slices, part) => {
      for (let j = 0; j < slices.length; j++) {
        const s = slices[j]!;
        slices[j] = EMPTY;
        const lineBase = base[part]! + s.line.base;
        for (let k = 0; k < s.rows; k++) {
          const ref = s.keyRef.base + s.keyRef.data[k]!;
          events.dk[at + k] = ref >= 0 ? codesDk[ref]! : ridDk[-1 - ref]!;
          events.key[at + k] = s.key.base + s.key.data[k]!;
          events.line[at + k] = lineBase + s.line.data[k]!;
          const fc = s.flagsCode.base + s.flagsCode.data[k]!;
          events.flags[at + k] = fc & 15;
          code[at + k] = fc >> 4 === 0 ? NO_CODE : (fc >> 4) - 1;
        }
        if (s.tsDelta) {
          const lo = s.tsLo >>> 0;
          for (let k = 0; k < s.rows; k++) {
            const l = lo + s.tsDelta[k]!;
            // Assigning to an Int32Array keeps the low 32 bits; the carry goes to the high half.
            events.ts[2 * (at + k)] = l;
            events.ts[2 * (at + k) + 1] = s.tsHi + (l >= 4294967296 ? 1 : 0);
          }
        } else events.ts.set(s.tsWide!, 2 * at);
        at += s.rows;
        if (at - releasedAt >= n / 8) {
          release(at - releasedAt);
          releasedAt = at;
        }
      }
    });
    this.parts.length = 0;
    return { events, code, keys };
  }
}

/** Rows addEvent gathers before sealing them into a slice. */
const ADD_EVENT_ROWS = 1 << 16;

const noColumn = (): Narrow => ({ base: 0, data: new Uint8Array(0) });
const EMPTY: Slice = { rows: 0, keyRef: noColumn(), key: noColumn(), line: noColumn(), flagsCode: noColumn(), tsLo: 0, tsHi: 0, tsDelta: null, tsWide: null };
