// A doubly linked list with kernel list_head semantics, kept in typed-array pools: insert
// appends at the tail (list_add_tail) or, with insertFirst, at the head (list_add_rcu, as
// svm->devs does); find and remove walk from the head and count every entry compared. Used
// for the per-device pending-fault list (whose walk is the per-device model's response
// cost), the devices bound to a PASID, the PCI bus walk and as a domain-lookup variant.
// A long list that has only ever been appended to (the domain-lookup variant: 2^20 PASIDs)
// answers find from an index instead of walking: entry k of such a list is node k, so the
// walk would visit k + 1 entries — the same count, without ~N/2 steps of host time, which is
// what lets the sweep replay every structure on the same group sample. The PCI bus list
// (~120 devices, walked per descriptor in v6.1–v6.8) is such a list too. Small keys (PASIDs,
// RIDs) index a typed array; a Map serves the rest.

import { checkKey, checkValue, NOT_FOUND, type LookupStructure } from './types.ts';

const NIL = -1;
/** Lists at least this long that were only appended to are found through the index. */
const INDEX_FROM = 16;
/** Keys below this index a typed array (4 MB at most); larger ones a Map. */
const DENSE_KEYS = 1 << 20;

export class LinkedList implements LookupStructure {
  readonly kind = 'list' as const;
  size = 0;
  lastVisits = 0;
  private keys: Int32Array;
  private values: Int32Array;
  private next: Int32Array;
  private prev: Int32Array;
  private head = NIL;
  private tail = NIL;
  private used = 0;
  private freeHead = NIL;
  /** No insertFirst or remove so far: node k is the k-th entry from the head. */
  private appendOnly = true;
  /** key → first node holding it, built on the first find of a long append-only list:
   *  dense (node + 1, 0 for absent) when every key is below DENSE_KEYS, else a Map. */
  private dense: Int32Array | null = null;
  private index: Map<number, number> | null = null;

  constructor(capacity = 16) {
    const cap = Math.max(1, capacity);
    this.keys = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
  }

  /** list_add_tail: O(1), no search (duplicates are the caller's business, as in the kernel). */
  insert(key: number, value: number): void {
    const n = this.alloc(key, value);
    this.next[n] = NIL;
    this.prev[n] = this.tail;
    if (this.tail === NIL) this.head = n;
    else this.next[this.tail] = n;
    this.tail = n;
    this.lastVisits = 0;
    if (this.dense) {
      if (key >= this.dense.length) this.dense = null;
      else if (this.dense[key] === 0) this.dense[key] = n + 1;
    }
    if (this.index && !this.index.has(key)) this.index.set(key, n);
  }

  /** list_add: O(1) at the head. */
  insertFirst(key: number, value: number): void {
    this.appendOnly = false;
    this.index = null;
    this.dense = null;
    const n = this.alloc(key, value);
    this.prev[n] = NIL;
    this.next[n] = this.head;
    if (this.head === NIL) this.tail = n;
    else this.prev[this.head] = n;
    this.head = n;
    this.lastVisits = 0;
  }

  find(key: number): number {
    const n = this.walk(key);
    return n === NIL ? NOT_FOUND : this.values[n]!;
  }

  remove(key: number): boolean {
    const n = this.walk(key);
    if (n === NIL) return false;
    this.appendOnly = false;
    this.index = null;
    this.dense = null;
    const p = this.prev[n]!;
    const x = this.next[n]!;
    if (p === NIL) this.head = x;
    else this.next[p] = x;
    if (x === NIL) this.tail = p;
    else this.prev[x] = p;
    this.next[n] = this.freeHead;
    this.freeHead = n;
    this.size--;
    return true;
  }

  private walk(key: number): number {
    if (this.appendOnly && this.size >= INDEX_FROM) return this.indexed(key);
    const keys = this.keys;
    const next = this.next;
    let visits = 0;
    for (let n = this.head; n !== NIL; n = next[n]!) {
      visits++;
      if (keys[n] === key) {
        this.lastVisits = visits;
        return n;
      }
    }
    this.lastVisits = visits;
    return NIL;
  }

  private indexed(key: number): number {
    if (!this.dense && !this.index) this.buildIndex();
    let n: number;
    if (this.dense) n = key < this.dense.length ? this.dense[key]! - 1 : NIL;
    else n = this.index!.get(key) ?? NIL;
    this.lastVisits = n === NIL ? this.size : n + 1;
    return n;
  }

  private buildIndex(): void {
    let max = 0;
    for (let n = 0; n < this.used; n++) if (this.keys[n]! > max) max = this.keys[n]!;
    if (max < DENSE_KEYS) {
      const dense = new Int32Array(max + 1);
      for (let n = this.used - 1; n >= 0; n--) dense[this.keys[n]!] = n + 1;
      this.dense = dense;
      return;
    }
    this.index = new Map();
    for (let n = this.used - 1; n >= 0; n--) this.index.set(this.keys[n]!, n);
  }

  private alloc(key: number, value: number): number {
    checkKey(key);
    checkValue(value);
    let n = this.freeHead;
    if (n !== NIL) {
      this.freeHead = this.next[n]!;
    } else {
      if (this.used === this.keys.length) this.grow();
      n = this.used++;
    }
    this.keys[n] = key;
    this.values[n] = value;
    this.size++;
    return n;
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    for (const name of ['keys', 'values', 'next', 'prev'] as const) {
      const a = new Int32Array(cap);
      a.set(this[name]);
      this[name] = a;
    }
  }
}
