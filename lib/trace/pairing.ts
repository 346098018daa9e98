// Pairs a trace's page requests and responses into fault groups, exactly as docs/pairing.md
// (DESIGN §4a) defines them, in one walk over the events in (timestamp, line) order with a
// first-in, first-out queue of completed, unanswered groups per key. Pure and columnar: its
// input comes from the decoders' batches (page-event-collector.ts) or from `events`, and the
// store writes the groups (db/pairing.ts). This replaced a window-function statement that
// sorted the events twice in DuckDB: 11-15 CPU-s on the 5 M-event bench trace under the CLI's
// memory cap, against about 1 for this walk and 3 for storing its groups.

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

/**
 * The groups, indexed by creation, and `order`: their indices in group_no order, by (time,
 * line) of the last-page request, else of the response for an orphan, else (first time,
 * lowest line) for an incomplete group. Each group names events by their index in the input,
 * −1 where it has none: `key` is an event with the group's key, `first` its earliest request
 * (first time), `firstLine` the lowest line of its requests (the same event unless times and
 * lines disagree in order).
 */
export interface PairedGroups {
  n: number;
  order: Int32Array;
  key: Int32Array;
  /** Index in GROUP_STATUSES. */
  status: Int32Array;
  pages: Int32Array;
  first: Int32Array;
  /** Unsigned: read with >>> 0. */
  firstLine: Int32Array;
  last: Int32Array;
  response: Int32Array;
}

const PASID_LIMIT = 1 << 20;
const PRGI_LIMIT = 1 << 9;

/** Whether a PASID and PRG index (−1 for none) fit their fields: 20 and 9 bits. */
export const keyInRange = (pasid: number, prgi: number) => pasid >= -1 && pasid < PASID_LIMIT && prgi >= -1 && prgi < PRGI_LIMIT;
/** (PASID + 1) × 1024 + (PRG index + 1): one int32 that keeps keys apart when keyInRange. */
export const packKey = (pasid: number, prgi: number) => (pasid + 1) * 1024 + (prgi + 1);
export const keyPasid = (key: number) => (key >> 10) - 1;
export const keyPrgi = (key: number) => (key & 1023) - 1;

/** Event indices in (timestamp, line) order. */
export function pairingOrder(ev: PairingEvents): Uint32Array {
  const order = walkOrder(ev);
  if (order) return order;
  const identity = new Uint32Array(ev.n);
  for (let i = 0; i < ev.n; i++) identity[i] = i;
  return identity;
}

/**
 * Event indices in (timestamp, line) order, or null when that is the input order: the
 * collector gives the events in file order, which a kernel trace's times almost always
 * follow, and the walk then needs no order array (4 bytes an event at the ingest's peak).
 */
function walkOrder(ev: PairingEvents): Uint32Array | null {
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

/** A growable int32 column. */
class Column {
  data: Int32Array;
  constructor(cap: number) {
    this.data = new Int32Array(Math.max(16, cap));
  }
  ensure(n: number): void {
    if (n <= this.data.length) return;
    const next = new Int32Array(Math.max(n, this.data.length * 2));
    next.set(this.data);
    this.data = next;
  }
}

export function pairEvents(ev: PairingEvents): PairedGroups {
  const order = walkOrder(ev);
  const { n, dk, flags } = ev;
  // Per group, indexed by creation: its key event, status, pages, events, the next group in
  // its key's queue and its lowest line.
  const cap = Math.max(16, n >> 1);
  const key = new Column(cap);
  const status = new Column(cap);
  const pages = new Column(cap);
  const first = new Column(cap);
  const last = new Column(cap);
  const response = new Column(cap);
  const nextQueued = new Column(cap);
  const minLine = new Column(cap);
  // Groups in the order their place is fixed: a stop marker or an orphan where the walk meets
  // it, a group at its last-page request. The walk only moves forward, so this is their order
  // by that event's (time, line), without an array of n positions.
  const placed = new Column(cap);
  let groups = 0;
  let nPlaced = 0;
  const columns = [key, status, pages, first, last, response, nextQueued, minLine, placed];
  const newGroup = (keyEvent: number, st: number, p: number, f: number, l: number, r: number): number => {
    const g = groups++;
    if (groups > key.data.length) for (const c of columns) c.ensure(groups);
    key.data[g] = keyEvent;
    status.data[g] = st;
    pages.data[g] = p;
    first.data[g] = f;
    last.data[g] = l;
    response.data[g] = r;
    nextQueued.data[g] = -1;
    minLine.data[g] = f >= 0 ? ev.line[f]! : 0;
    return g;
  };

  // Per key: the open (not yet complete) group and the queue of completed, unanswered ones,
  // in slots found through an open-addressing table on the packed key (a Map with
  // non-Smi keys cost about half of the walk).
  const keys = new KeyTable();
  let open = new Int32Array(1024);
  let head = new Int32Array(1024);
  let tail = new Int32Array(1024);

  for (let k = 0; k < n; k++) {
    const i = order === null ? k : order[k]!;
    const f = flags[i]!;
    if (f & PAIR_SKIP) continue;
    if (f & PAIR_STOP) {
      // newGroup may grow placed, so its array is read after the call.
      const g = newGroup(i, STOP, 1, i, i, -1);
      placed.data[nPlaced++] = g;
      continue;
    }
    const s = keys.slot(dk[i]!, ev.key[i]!);
    if (s === keys.size - 1 && keys.fresh) {
      if (s === open.length) {
        const grow = (a: Int32Array) => {
          const b = new Int32Array(a.length * 2);
          b.set(a);
          return b;
        };
        open = grow(open);
        head = grow(head);
        tail = grow(tail);
      }
      open[s] = -1;
      head[s] = -1;
      tail[s] = -1;
    }
    if (f & PAIR_RESPONSE) {
      const g = head[s]!;
      if (g < 0) {
        const o = newGroup(i, ORPHAN, 0, -1, -1, i);
        placed.data[nPlaced++] = o;
        continue;
      }
      // The oldest completed, unanswered group of the key takes the response.
      status.data[g] = ANSWERED;
      response.data[g] = i;
      head[s] = nextQueued.data[g]!;
      if (head[s]! < 0) tail[s] = -1;
      continue;
    }
    let g = open[s]!;
    if (g < 0) {
      g = newGroup(i, INCOMPLETE, 0, i, -1, -1);
      open[s] = g;
    }
    pages.data[g]!++;
    // Lines are below 2^32; stored in an int32 column, compared unsigned.
    if (ev.line[i]! < minLine.data[g]! >>> 0) minLine.data[g] = ev.line[i]!;
    if (f & PAIR_LAST) {
      status.data[g] = UNANSWERED;
      last.data[g] = i;
      placed.data[nPlaced++] = g;
      open[s] = -1;
      if (tail[s]! < 0) head[s] = g;
      else nextQueued.data[tail[s]!] = g;
      tail[s] = g;
    }
  }

  // A complete group, an orphan or a stop marker sorts at one event's (time, line), the one
  // that placed it: a distinct event per group. An incomplete group sorts at (its first time,
  // its lowest line), which can fall between events: those few are sorted apart and merged in.
  const incomplete: number[] = [];
  for (let g = 0; g < groups; g++) if (status.data[g] === INCOMPLETE) incomplete.push(g);
  const incompleteBefore = (g: number, e: number): boolean => {
    const fe = first.data[g]!;
    return tsBefore(ev.ts, fe, e) || (!tsBefore(ev.ts, e, fe) && minLine.data[g]! >>> 0 < ev.line[e]!);
  };
  incomplete.sort((a, b) => {
    const ea = first.data[a]!;
    const eb = first.data[b]!;
    if (tsBefore(ev.ts, ea, eb)) return -1;
    if (tsBefore(ev.ts, eb, ea)) return 1;
    return (minLine.data[a]! >>> 0) - (minLine.data[b]! >>> 0);
  });
  const groupOrder = new Int32Array(groups);
  let m = 0;
  let next = 0;
  for (let j = 0; j < nPlaced; j++) {
    const g = placed.data[j]!;
    const e = last.data[g]! >= 0 ? last.data[g]! : response.data[g]!;
    while (next < incomplete.length && incompleteBefore(incomplete[next]!, e)) groupOrder[m++] = incomplete[next++]!;
    groupOrder[m++] = g;
  }
  while (next < incomplete.length) groupOrder[m++] = incomplete[next++]!;
  const trim = (c: Column) => c.data.subarray(0, groups);
  return {
    n: groups,
    order: groupOrder,
    key: trim(key),
    status: trim(status),
    pages: trim(pages),
    first: trim(first),
    firstLine: trim(minLine),
    last: trim(last),
    response: trim(response),
  };
}
