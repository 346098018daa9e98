// Pairs a trace's page requests and responses into fault groups, exactly as docs/pairing.md
// (DESIGN §4a) defines them, in one walk over the events in (timestamp, line) order with a
// first-in, first-out queue of completed, unanswered groups per key. Pure and columnar: its
// input is blocks of events already in that order (page-event-collector.ts merges them back
// from its spill file), and each group leaves as soon as nothing can change it, so memory
// holds only the open and unanswered groups, not the trace. The store numbers and writes the
// groups (services/pairing.ts). This replaced a window-function statement that sorted the
// events twice in DuckDB: 11-15 CPU-s on the 5 M-event bench trace under the CLI's memory cap.

import { GROUP_STATUSES } from './schema.ts';

/** Event flags, one byte per event. */
export const PAIR_RESPONSE = 1;
export const PAIR_LAST = 2;
/** A last-page request asking for no access: forms no group and needs no response. */
export const PAIR_STOP = 4;
/** A last-page request whose access is unknown (NULL perm): neither walked nor a stop marker, as SQL's three-valued logic had it. */
export const PAIR_SKIP = 8;

/**
 * The request and response events of one trace, columnar, in any order. Timestamps are int64
 * as two int32 halves (little-endian: ts[2i] low bits, ts[2i + 1] high bits), so no event
 * costs a BigInt and every nanosecond stays exact.
 */
export interface PairingEvents {
  n: number;
  /** (IOMMU, device) as a small code ≥ 0; the caller keeps the strings. */
  dk: Int32Array;
  /** PASID and PRG index packed by packKey; the producer checks their ranges (keyInRange). */
  key: Int32Array;
  ts: Int32Array;
  /** Unique within a trace: the tie-breaker for equal timestamps. */
  line: Uint32Array;
  flags: Uint8Array;
}

/** A group's status as its index in GROUP_STATUSES. */
const ANSWERED = GROUP_STATUSES.indexOf('answered');
const UNANSWERED = GROUP_STATUSES.indexOf('unanswered');
const INCOMPLETE = GROUP_STATUSES.indexOf('incomplete');
const ORPHAN = GROUP_STATUSES.indexOf('orphan_response');
const STOP = GROUP_STATUSES.indexOf('stop_marker');

const PASID_LIMIT = 1 << 20;
const PRGI_LIMIT = 1 << 9;

/** Whether a PASID and PRG index (−1 for none) fit their fields: 20 and 9 bits. */
export const keyInRange = (pasid: number, prgi: number) => pasid >= -1 && pasid < PASID_LIMIT && prgi >= -1 && prgi < PRGI_LIMIT;
/** (PASID + 1) × 1024 + (PRG index + 1): one int32 that keeps keys apart when keyInRange. */
export const packKey = (pasid: number, prgi: number) => (pasid + 1) * 1024 + (prgi + 1);
export const keyPasid = (key: number) => (key >> 10) - 1;
export const keyPrgi = (key: number) => (key & 1023) - 1;

/** What ordering needs of events: their times and lines (any numeric array). */
export interface OrderedBy {
  n: number;
  ts: Int32Array;
  line: ArrayLike<number>;
}

/** Event indices in (timestamp, line) order. */
export function pairingOrder(ev: OrderedBy): Uint32Array {
  const order = walkOrder(ev);
  if (order) return order;
  const identity = new Uint32Array(ev.n);
  for (let i = 0; i < ev.n; i++) identity[i] = i;
  return identity;
}

/** Event indices in (timestamp, line) order, or null when that is the input order. */
function walkOrder(ev: OrderedBy): Uint32Array | null {
  const { n, line, ts } = ev;
  let inOrder = true;
  for (let i = 1; i < n && inOrder; i++) inOrder = tsBefore(ts, i - 1, i) || (!tsBefore(ts, i, i - 1) && line[i - 1]! < line[i]!);
  if (inOrder) return null;
  const order = new Uint32Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const l = line[i]!;
    if (l < lo) lo = l;
    if (l > hi) hi = l;
  }
  // Lines are unique and dense in a file, so placing each event at its line sorts by line in
  // one pass; the file is nearly in time order, so the time sort below then finds it sorted.
  const span = n === 0 ? 0 : hi - lo + 1;
  if (span <= 2 * n + 1024) {
    const at = new Int32Array(span).fill(-1);
    for (let i = 0; i < n; i++) at[line[i]! - lo] = i;
    let k = 0;
    for (let j = 0; j < span; j++) if (at[j]! >= 0) order[k++] = at[j]!;
  } else {
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => line[a]! - line[b]!);
  }
  let sorted = true;
  for (let k = 1; k < n && sorted; k++) sorted = !tsBefore(ts, order[k]!, order[k - 1]!);
  if (!sorted) order.sort((a, b) => (tsBefore(ts, a, b) ? -1 : tsBefore(ts, b, a) ? 1 : line[a]! - line[b]!));
  return order;
}

/** Whether event a's timestamp is earlier than event b's. */
function tsBefore(ts: Int32Array, a: number, b: number): boolean {
  const ha = ts[2 * a + 1]!;
  const hb = ts[2 * b + 1]!;
  if (ha !== hb) return ha < hb;
  return ts[2 * a]! >>> 0 < ts[2 * b]! >>> 0;
}

function hash(dk: number, rest: number): number {
  const x = Math.imul(rest ^ Math.imul(dk, 0x9e3779b1), 0x85ebca6b);
  return x ^ (x >>> 15);
}

/** Slots numbered 0, 1, … in order of first sight, for keys (dk, rest) with rest < 2^31. */
export class KeyTable {
  size = 0;
  /** Whether the last slot() call saw its key for the first time. */
  fresh = false;
  private dks = new Int32Array(1 << 12).fill(-1);
  private rests = new Int32Array(1 << 12);
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;

  slot(dk: number, rest: number): number {
    let h = hash(dk, rest) & this.mask;
    for (;;) {
      const d = this.dks[h]!;
      if (d === -1) break;
      if (d === dk && this.rests[h] === rest) {
        this.fresh = false;
        return this.slots[h]!;
      }
      h = (h + 1) & this.mask;
    }
    this.dks[h] = dk;
    this.rests[h] = rest;
    this.slots[h] = this.size;
    this.fresh = true;
    if (++this.size * 2 > this.mask) this.grow();
    return this.size - 1;
  }

  private grow(): void {
    const { dks, rests, slots } = this;
    const cap = dks.length * 2;
    this.dks = new Int32Array(cap).fill(-1);
    this.rests = new Int32Array(cap);
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    for (let h = 0; h < dks.length; h++) {
      if (dks[h] === -1) continue;
      let j = hash(dks[h]!, rests[h]!) & this.mask;
      while (this.dks[j] !== -1) j = (j + 1) & this.mask;
      this.dks[j] = dks[h]!;
      this.rests[j] = rests[h]!;
      this.slots[j] = slots[h]!;
    }
  }
}

/** A block of page events in (timestamp, line) order, with each one's response code (NO_CODE where none). */
export interface PageEventBlock {
  events: PairingEvents;
  code: Int8Array;
}

/** Stands for a NULL response code. */
export const NO_CODE = -1;

/**
 * Groups as the walk lets them go, in no particular order. An int64 time is two int32 halves;
 * a `*Valid` bitmap has bit r set where row r has that event (DuckDB's validity layout).
 * `placed` is the group's rank among the groups whose place in group_no order is fixed by
 * one event (its last-page request, the orphan response, the stop marker), −1 for an
 * incomplete group, which sorts at (first time, lowest line) instead.
 */
export interface GroupRows {
  rows: number;
  placed: Int32Array<ArrayBuffer>;
  dk: Int32Array<ArrayBuffer>;
  key: Int32Array<ArrayBuffer>;
  /** Index in GROUP_STATUSES. */
  status: Uint8Array<ArrayBuffer>;
  pages: Int32Array<ArrayBuffer>;
  firstTs: Int32Array<ArrayBuffer>;
  /** The lowest line of the group's requests. */
  firstLine: Uint32Array<ArrayBuffer>;
  firstValid: Uint8Array<ArrayBuffer>;
  lastTs: Int32Array<ArrayBuffer>;
  lastLine: Uint32Array<ArrayBuffer>;
  lastValid: Uint8Array<ArrayBuffer>;
  responseTs: Int32Array<ArrayBuffer>;
  responseLine: Uint32Array<ArrayBuffer>;
  responseValid: Uint8Array<ArrayBuffer>;
  code: Int16Array<ArrayBuffer>;
  codeValid: Uint8Array<ArrayBuffer>;
}

function groupRows(cap: number): GroupRows {
  const valid = () => new Uint8Array(Math.ceil(cap / 64) * 8);
  return {
    rows: 0,
    placed: new Int32Array(cap),
    dk: new Int32Array(cap),
    key: new Int32Array(cap),
    status: new Uint8Array(cap),
    pages: new Int32Array(cap),
    firstTs: new Int32Array(2 * cap),
    firstLine: new Uint32Array(cap),
    firstValid: valid(),
    lastTs: new Int32Array(2 * cap),
    lastLine: new Uint32Array(cap),
    lastValid: valid(),
    responseTs: new Int32Array(2 * cap),
    responseLine: new Uint32Array(cap),
    responseValid: valid(),
    code: new Int16Array(cap),
    codeValid: valid(),
  };
}

const setBit = (bits: Uint8Array, r: number) => (bits[r >>> 3]! |= 1 << (r & 7));

/**
 * The walk's groups still in memory, in slots reused once a group leaves: its key, pages,
 * first request (time, lowest line), last-page request, rank among placed groups, the next
 * group in its key's queue (or in the free list), and `since`, the placed groups before the
 * first event at its first request's time (see PairingWalk.end).
 */
class LiveGroups {
  dk = new Int32Array(1024);
  key = new Int32Array(1024);
  pages = new Int32Array(1024);
  firstTs = new Int32Array(2048);
  firstLine = new Uint32Array(1024);
  lastTs = new Int32Array(2048);
  lastLine = new Uint32Array(1024);
  placed = new Int32Array(1024);
  next = new Int32Array(1024);
  since = new Int32Array(1024);
  private free = -1;
  private used = 0;

  alloc(): number {
    if (this.free >= 0) {
      const g = this.free;
      this.free = this.next[g]!;
      return g;
    }
    if (this.used === this.dk.length) this.grow();
    return this.used++;
  }

  release(g: number): void {
    this.next[g] = this.free;
    this.free = g;
  }

  private grow(): void {
    const twice = <T extends Int32Array | Uint32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.dk = twice(this.dk);
    this.key = twice(this.key);
    this.pages = twice(this.pages);
    this.firstTs = twice(this.firstTs);
    this.firstLine = twice(this.firstLine);
    this.lastTs = twice(this.lastTs);
    this.lastLine = twice(this.lastLine);
    this.placed = twice(this.placed);
    this.next = twice(this.next);
    this.since = twice(this.since);
  }
}

/**
 * The walk, fed blocks of events in (timestamp, line) order (add), then ended (end). Full
 * blocks of groups are taken as they fill (take); the last, partial one comes from end().
 */
export class PairingWalk {
  private readonly live = new LiveGroups();
  /** Per key slot: its open (not yet complete) group and its queue of completed, unanswered ones. */
  private readonly keys = new KeyTable();
  private open = new Int32Array(1024);
  private head = new Int32Array(1024);
  private tail = new Int32Array(1024);
  private placedCount = 0;
  /** placedCount when the walk reached the current timestamp, and that timestamp. */
  private sinceTs = 0;
  private tsLo = 0;
  private tsHi = 0;
  private started = false;
  private out: GroupRows;
  private readonly full: GroupRows[] = [];

  constructor(private readonly blockRows = 1 << 16) {
    this.out = groupRows(blockRows);
  }

  /** Blocks of groups filled so far; each is handed out once. */
  take(): GroupRows[] {
    return this.full.splice(0);
  }

  add({ events: ev, code }: PageEventBlock): void {
    const { dk, key, ts, line, flags } = ev;
    const live = this.live;
    for (let i = 0; i < ev.n; i++) {
      const f = flags[i]!;
      if (f & PAIR_SKIP) continue;
      const lo = ts[2 * i]!;
      const hi = ts[2 * i + 1]!;
      if (!this.started || lo !== this.tsLo || hi !== this.tsHi) {
        this.started = true;
        this.tsLo = lo;
        this.tsHi = hi;
        this.sinceTs = this.placedCount;
      }
      if (f & PAIR_STOP) {
        const r = this.row(this.placedCount++, dk[i]!, key[i]!, STOP, 1);
        this.event(this.out.firstTs, this.out.firstLine, this.out.firstValid, r, lo, hi, line[i]!);
        this.event(this.out.lastTs, this.out.lastLine, this.out.lastValid, r, lo, hi, line[i]!);
        continue;
      }
      const s = this.slot(dk[i]!, key[i]!);
      if (f & PAIR_RESPONSE) {
        const g = this.head[s]!;
        if (g < 0) {
          const r = this.row(this.placedCount++, dk[i]!, key[i]!, ORPHAN, 0);
          this.response(r, lo, hi, line[i]!, code[i]!);
          continue;
        }
        // The oldest completed, unanswered group of the key takes the response.
        this.head[s] = live.next[g]!;
        if (this.head[s]! < 0) this.tail[s] = -1;
        const r = this.leave(g, ANSWERED);
        this.response(r, lo, hi, line[i]!, code[i]!);
        continue;
      }
      let g = this.open[s]!;
      if (g < 0) {
        g = live.alloc();
        live.dk[g] = dk[i]!;
        live.key[g] = key[i]!;
        live.pages[g] = 0;
        live.firstTs[2 * g] = lo;
        live.firstTs[2 * g + 1] = hi;
        live.firstLine[g] = line[i]!;
        live.since[g] = this.sinceTs;
        this.open[s] = g;
      }
      live.pages[g]!++;
      if (line[i]! < live.firstLine[g]!) live.firstLine[g] = line[i]!;
      if (f & PAIR_LAST) {
        live.lastTs[2 * g] = lo;
        live.lastTs[2 * g + 1] = hi;
        live.lastLine[g] = line[i]!;
        live.placed[g] = this.placedCount++;
        live.next[g] = -1;
        this.open[s] = -1;
        if (this.tail[s]! < 0) this.head[s] = g;
        else live.next[this.tail[s]!] = g;
        this.tail[s] = g;
      }
    }
  }

  /**
   * Lets the remaining groups go: the queued ones unanswered, the open ones incomplete.
   * Returns the blocks not yet taken and `exactBelow`: every placed group with a rank below it sorts
   * before every incomplete group, so its group_no is its rank + 1; the rest are numbered by
   * sorting them (services/pairing.ts). A group's `since` is a safe bound: whatever its lowest
   * line, an incomplete group sorts after every placed group of an earlier time.
   */
  end(): { blocks: GroupRows[]; exactBelow: number } {
    let exactBelow = this.placedCount;
    for (let s = 0; s < this.keys.size; s++) {
      for (let g = this.head[s]!; g >= 0;) {
        const next = this.live.next[g]!;
        this.leave(g, UNANSWERED);
        g = next;
      }
      const g = this.open[s]!;
      if (g >= 0) {
        exactBelow = Math.min(exactBelow, this.live.since[g]!);
        this.live.placed[g] = -1;
        this.leave(g, INCOMPLETE);
      }
    }
    const blocks = [...this.full.splice(0), this.out];
    this.out = groupRows(0);
    return { blocks, exactBelow };
  }

  private slot(dk: number, key: number): number {
    const s = this.keys.slot(dk, key);
    if (!this.keys.fresh) return s;
    if (s === this.open.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.open = grow(this.open);
      this.head = grow(this.head);
      this.tail = grow(this.tail);
    }
    this.open[s] = -1;
    this.head[s] = -1;
    this.tail[s] = -1;
    return s;
  }

  /** A new row of the output block; a full block is set aside for take(). */
  private row(placed: number, dk: number, key: number, status: number, pages: number): number {
    if (this.out.rows === this.blockRows) {
      this.full.push(this.out);
      this.out = groupRows(this.blockRows);
    }
    const o = this.out;
    const r = o.rows++;
    o.placed[r] = placed;
    o.dk[r] = dk;
    o.key[r] = key;
    o.status[r] = status;
    o.pages[r] = pages;
    return r;
  }

  /** Writes live group g as a row with status, and frees its slot. */
  private leave(g: number, status: number): number {
    const live = this.live;
    const r = this.row(live.placed[g]!, live.dk[g]!, live.key[g]!, status, live.pages[g]!);
    const o = this.out;
    this.event(o.firstTs, o.firstLine, o.firstValid, r, live.firstTs[2 * g]!, live.firstTs[2 * g + 1]!, live.firstLine[g]!);
    if (status !== INCOMPLETE) this.event(o.lastTs, o.lastLine, o.lastValid, r, live.lastTs[2 * g]!, live.lastTs[2 * g + 1]!, live.lastLine[g]!);
    live.release(g);
    return r;
  }

  private event(ts: Int32Array, lines: Uint32Array, valid: Uint8Array, r: number, lo: number, hi: number, line: number): void {
    ts[2 * r] = lo;
    ts[2 * r + 1] = hi;
    lines[r] = line;
    setBit(valid, r);
  }

  private response(r: number, lo: number, hi: number, line: number, code: number): void {
    const o = this.out;
    this.event(o.responseTs, o.responseLine, o.responseValid, r, lo, hi, line);
    if (code !== NO_CODE) {
      o.code[r] = code;
      setBit(o.codeValid, r);
    }
  }
}
