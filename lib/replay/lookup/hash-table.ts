// A chained hash table in the style of the kernel's hashtable.h (hlist buckets, hash_32 by
// the golden-ratio multiply), kept in typed-array pools. Unlike a DEFINE_HASHTABLE it
// doubles its buckets when the load passes 3/4 (as rhashtable grows), so its cost stays
// flat as PASIDs grow — the reference point the sweep compares the others with.
// A lookup's visits are the entries compared in the chain, at least 1 (the bucket read).

import { checkKey, checkValue, NOT_FOUND, type LookupStructure } from './types.ts';

const NIL = -1;
const GOLDEN_RATIO_32 = 0x61c88647;

export class HashTable implements LookupStructure {
  readonly kind = 'hash' as const;
  size = 0;
  lastVisits = 0;
  private bits: number;
  private buckets: Int32Array;
  private keys: Int32Array;
  private values: Int32Array;
  private next: Int32Array;
  private used = 0;
  private freeHead = NIL;

  constructor(expectedEntries = 16) {
    this.bits = 4;
    while (1 << this.bits < (expectedEntries * 4) / 3) this.bits++;
    this.buckets = new Int32Array(1 << this.bits).fill(NIL);
    const cap = Math.max(16, expectedEntries);
    this.keys = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.next = new Int32Array(cap);
  }

  find(key: number): number {
    const keys = this.keys;
    const next = this.next;
    let visits = 0;
    for (let n = this.buckets[this.bucketOf(key)]!; n !== NIL; n = next[n]!) {
      visits++;
      if (keys[n] === key) {
        this.lastVisits = visits;
        return this.values[n]!;
      }
    }
    this.lastVisits = visits === 0 ? 1 : visits;
    return NOT_FOUND;
  }

  insert(key: number, value: number): void {
    checkKey(key);
    checkValue(value);
    const b = this.bucketOf(key);
    let visits = 0;
    for (let n = this.buckets[b]!; n !== NIL; n = this.next[n]!) {
      visits++;
      if (this.keys[n] === key) {
        this.values[n] = value;
        this.lastVisits = visits;
        return;
      }
    }
    this.lastVisits = visits === 0 ? 1 : visits;
    let n = this.freeHead;
    if (n !== NIL) {
      this.freeHead = this.next[n]!;
    } else {
      if (this.used === this.keys.length) this.growPool();
      n = this.used++;
    }
    this.keys[n] = key;
    this.values[n] = value;
    this.next[n] = this.buckets[b]!; // hlist_add_head
    this.buckets[b] = n;
    this.size++;
    if (this.size * 4 > this.buckets.length * 3) this.rehash();
  }

  remove(key: number): boolean {
    const b = this.bucketOf(key);
    let visits = 0;
    let prev = NIL;
    for (let n = this.buckets[b]!; n !== NIL; prev = n, n = this.next[n]!) {
      visits++;
      if (this.keys[n] === key) {
        if (prev === NIL) this.buckets[b] = this.next[n]!;
        else this.next[prev] = this.next[n]!;
        this.next[n] = this.freeHead;
        this.freeHead = n;
        this.size--;
        this.lastVisits = visits;
        return true;
      }
    }
    this.lastVisits = visits === 0 ? 1 : visits;
    return false;
  }

  private bucketOf(key: number): number {
    return Math.imul(key, GOLDEN_RATIO_32) >>> (32 - this.bits);
  }

  private rehash(): void {
    const old = this.buckets;
    this.bits++;
    this.buckets = new Int32Array(1 << this.bits).fill(NIL);
    for (let b = 0; b < old.length; b++) {
      let n = old[b]!;
      while (n !== NIL) {
        const following = this.next[n]!;
        const nb = this.bucketOf(this.keys[n]!);
        this.next[n] = this.buckets[nb]!;
        this.buckets[nb] = n;
        n = following;
      }
    }
  }

  private growPool(): void {
    const cap = this.keys.length * 2;
    for (const name of ['keys', 'values', 'next'] as const) {
      const a = new Int32Array(cap);
      a.set(this[name]);
      this[name] = a;
    }
  }
}
