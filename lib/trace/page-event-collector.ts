// Keeps what pairing needs of each page request and response as the decoders' batches go by
// (lib/trace/event-batch.ts), so that a text or trace.dat ingest pairs without reading its
// events back out of DuckDB: 22 bytes an event, against the ~1 CPU-s per million events a
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

/** Events ready to pair, with each one's response code (null where none) and the strings of each dk. */
export interface CollectedPageEvents {
  events: PairingEvents;
  code: Int32Array;
  keys: PairingKey[];
}

/** Stands for a NULL response code in `code`. */
export const NO_CODE = 65536;

/** One batch's page events. */
interface Slice {
  rows: number;
  keyRef: Int32Array;
  key: Int32Array;
  ts: Int32Array;
  line: Uint32Array;
  flags: Uint8Array;
  /** NO_CODE8 for none. */
  code: Int8Array;
}

/** Stands for a NULL code in a slice: decoders' codes are 0, 1 or 2. */
const NO_CODE8 = -128;

const emptySlice = (rows: number): Slice => ({
  rows: 0,
  keyRef: new Int32Array(rows),
  key: new Int32Array(rows),
  ts: new Int32Array(2 * rows),
  line: new Uint32Array(rows),
  flags: new Uint8Array(rows),
  code: new Int8Array(rows),
});
const EMPTY = emptySlice(0);

/** A code that fits the slice's byte: decoders and the simulator parser give 0, 1 or 2. */
function checkedCode(c: number, line: number, part: number): number {
  if (c !== NO_CODE8 && (c < 0 || c > 127)) throw new Error(`pairing: response code ${c} at line ${line} of part ${part} is out of range`);
  return c;
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
  /** The first event whose PASID or PRG index is outside its field (decoders never write one). */
  private badKey: { part: number; line: number } | null = null;
  /** For addEvent: codes given to IOMMU and device names, and the slice being filled. */
  private readonly iommuCode = new Map<string, number>();
  private readonly deviceCode = new Map<string, number>();
  private open: Slice | null = null;

  add(b: EventBatch): void {
    for (const [code, text] of b.dict.iommu) this.iommus.set(code, text);
    for (const [code, text] of b.dict.device) this.devices.set(code, text);
    if (b.rows === 0) return;
    const u8 = (c: number) => new Uint8Array(b.data[c]!);
    const i32 = (c: number) => new Int32Array(b.data[c]!);
    const valid = (c: number) => (b.valid[c] ? new Uint32Array(b.valid[c]!) : null);
    const part = u8(COL.part)[0]!;
    const kind = u8(COL.kind);
    let rows = 0;
    for (let r = 0; r < b.rows; r++) if (kind[r] === REQUEST || kind[r] === RESPONSE) rows++;
    if (rows === 0) return;
    const s: Slice = {
      rows,
      keyRef: new Int32Array(rows),
      key: new Int32Array(rows),
      ts: new Int32Array(2 * rows),
      line: new Uint32Array(rows),
      flags: new Uint8Array(rows),
      code: new Int8Array(rows),
    };
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
      s.flags[k] = kd === REQUEST && isLast && !isSet(permV, r) ? f | PAIR_SKIP : f;
      s.code[k] = checkedCode(isSet(codeV, r) ? codeA[r]! : NO_CODE8, lineA[r]!, part);
      k++;
    }
    (this.parts[part] ??= []).push(s);
  }

  /**
   * One parsed event (the simulator formats, parsed row by row in JS; one part): what add()
   * keeps of a batch row, with the names given codes here.
   */
  addEvent(e: TraceEvent): void {
    if (e.kind !== 'page_request' && e.kind !== 'page_response') return;
    if (e.tsNs === null) throw new Error(`pairing: page event without a timestamp at line ${e.line}`);
    if (this.open === null || this.open.rows === this.open.key.length) {
      if (this.open) (this.parts[0] ??= []).push(this.open);
      this.open = emptySlice(1 << 16);
    }
    const s: Slice = this.open;
    const k = s.rows++;
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
    s.flags[k] = e.kind === 'page_request' && isLast && e.perm === null ? f | PAIR_SKIP : f;
    s.code[k] = checkedCode(e.code ?? NO_CODE8, e.line, 0);
  }

  /**
   * The collected events in file order, lines made file-wide with each part's first line
   * (base), and the device of a response named by RID from ridDevice (storeStaged's rule).
   */
  finish(base: readonly number[], ridDevice: (iommu: string, rid: number) => string | null, release: (events: number) => void): CollectedPageEvents {
    if (this.open) {
      const o = this.open;
      const n = o.rows;
      (this.parts[0] ??= []).push({
        rows: n,
        keyRef: o.keyRef.subarray(0, n),
        key: o.key.subarray(0, n),
        ts: o.ts.subarray(0, 2 * n),
        line: o.line.subarray(0, n),
        flags: o.flags.subarray(0, n),
        code: o.code.subarray(0, n),
      });
      this.open = null;
    }
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
    const code = new Int32Array(n);
    let at = 0;
    let releasedAt = 0;
    // Each slice is let go once copied and release (a garbage collection, from the store) runs
    // every eighth of the events, so the copy holds about 1.1 sets at its peak, not two.
    this.parts.forEach((slices, part) => {
      for (let j = 0; j < slices.length; j++) {
        const s = slices[j]!;
        slices[j] = EMPTY;
        for (let k = 0; k < s.rows; k++) {
          const ref = s.keyRef[k]!;
          events.dk[at + k] = ref >= 0 ? codesDk[ref]! : ridDk[-1 - ref]!;
          events.line[at + k] = base[part]! + s.line[k]!;
        }
        events.key.set(s.key, at);
        events.ts.set(s.ts, 2 * at);
        events.flags.set(s.flags, at);
        for (let k = 0; k < s.rows; k++) code[at + k] = s.code[k] === NO_CODE8 ? NO_CODE : s.code[k]!;
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
