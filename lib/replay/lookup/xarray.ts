// A 64-way radix tree shaped like the kernel's XArray: its levels follow the largest index
// stored (1 up to 63, 2 up to 4095, 3 up to 262143, 4 up to 2^20 − 1), not the number of
// entries, which is why sparse PASIDs cost more hops than dense ones. Used by both models.
// Unlike the kernel, a lone entry at index 0 still gets a node (PASID 0 is never SVA's).

import { checkKey, checkValue, NOT_FOUND, type LookupStructure } from './types.ts';

const SHIFT = 6;
const FANOUT = 1 << SHIFT;
const MASK = FANOUT - 1;
const MAX_LEVELS = 6; // 6 × 6 bits covers 31-bit keys

/** 64^levels for levels 0 … MAX_LEVELS: computing 2 ** (SHIFT · levels) per insert was a
 *  twentieth of a PASID sweep (a million inserts per point). */
const LEVEL_LIMIT = Array.from({ length: MAX_LEVELS + 1 }, (_, l) => 2 ** (SHIFT * l));

/** Levels a tree needs to hold index: 1 for ≤ 63, 2 for ≤ 4095, … */
export function xarrayLevelsFor(index: number): number {
  let levels = 1;
  while (levels < MAX_LEVELS && index >= LEVEL_LIMIT[levels]!) levels++;
  return levels;
}

export class XArray implements LookupStructure {
  readonly kind = 'xarray' as const;
  size = 0;
  lastVisits = 0;
  /** Slot contents: 0 empty; in inner nodes child id + 1; in leaf nodes value + 1. */
  private slots: Int32Array;
  private counts: Int32Array;
  private nodeCap: number;
  private nodesUsed = 0;
  private freeNodes: number[] = [];
  private root = -1;
  private levels = 0;
  /** First index the current height cannot hold (64^levels); kept so find needs no pow. */
  private limit = 0;
  private readonly pathNode = new Int32Array(MAX_LEVELS);
  private readonly pathSlot = new Int32Array(MAX_LEVELS);

  constructor(expectedNodes = 4) {
    this.nodeCap = Math.max(1, expectedNodes);
    this.slots = new Int32Array(this.nodeCap * FANOUT);
    this.counts = new Int32Array(this.nodeCap);
  }

  /** Current number of levels (0 when empty). */
  get height(): number {
    return this.levels;
  }

  find(key: number): number {
    if (this.root < 0) {
      this.lastVisits = 0;
      return NOT_FOUND;
    }
    const slots = this.slots;
    let node = this.root;
    let visits = 1;
    let shift = SHIFT * (this.levels - 1);
    // The kernel compares the index with the root's range before descending (xas_start).
    if (key >= this.limit) {
      this.lastVisits = visits;
      return NOT_FOUND;
    }
    for (;;) {
      const s = slots[node * FANOUT + ((key >>> shift) & MASK)]!;
      if (s === 0) {
        this.lastVisits = visits;
        return NOT_FOUND;
      }
      if (shift === 0) {
        this.lastVisits = visits;
        return s - 1;
      }
      node = s - 1;
      shift -= SHIFT;
      visits++;
    }
  }

  insert(key: number, value: number): void {
    checkKey(key);
    checkValue(value);
    const need = xarrayLevelsFor(key);
    if (this.root < 0) {
      this.root = this.allocNode();
      this.levels = need;
      this.limit = LEVEL_LIMIT[need]!;
    }
    // Grow upwards: the old root becomes slot 0 of a new root, as xas_expand does.
    while (this.levels < need) {
      const top = this.allocNode();
      this.slots[top * FANOUT] = this.root + 1;
      this.counts[top] = 1;
      this.root = top;
      this.levels++;
      this.limit = LEVEL_LIMIT[this.levels]!;
    }
    let node = this.root;
    let visits = 1;
    for (let shift = SHIFT * (this.levels - 1); ; shift -= SHIFT) {
      const idx = node * FANOUT + ((key >>> shift) & MASK);
      if (shift === 0) {
        if (this.slots[idx] === 0) {
          this.counts[node]!++;
          this.size++;
        }
        this.slots[idx] = value + 1;
        break;
      }
      let child = this.slots[idx]! - 1;
      if (child < 0) {
        child = this.allocNode();
        // allocNode may have reallocated the slot array; index by offset again.
        this.slots[idx] = child + 1;
        this.counts[node]!++;
      }
      node = child;
      visits++;
    }
    this.lastVisits = visits;
  }

  remove(key: number): boolean {
    if (this.root < 0 || key >= this.limit) {
      this.lastVisits = this.root < 0 ? 0 : 1;
      return false;
    }
    let node = this.root;
    let depth = 0;
    let visits = 1;
    for (let shift = SHIFT * (this.levels - 1); ; shift -= SHIFT) {
      const slot = (key >>> shift) & MASK;
      this.pathNode[depth] = node;
      this.pathSlot[depth] = slot;
      const s = this.slots[node * FANOUT + slot]!;
      if (s === 0) {
        this.lastVisits = visits;
        return false;
      }
      if (shift === 0) break;
      node = s - 1;
      depth++;
      visits++;
    }
    this.lastVisits = visits;
    this.size--;
    // Clear the slot, then free nodes that became empty, bottom-up.
    for (let d = depth; d >= 0; d--) {
      const n = this.pathNode[d]!;
      this.slots[n * FANOUT + this.pathSlot[d]!] = 0;
      if (--this.counts[n]! > 0) break;
      this.freeNode(n);
      if (d === 0) {
        this.root = -1;
        this.levels = 0;
        this.limit = 0;
        return true;
      }
    }
    // Shrink like xas_shrink: while the root only holds slot 0, its child becomes the root,
    // so the height keeps following the largest index.
    while (this.levels > 1 && this.counts[this.root] === 1 && this.slots[this.root * FANOUT] !== 0) {
      const child = this.slots[this.root * FANOUT]! - 1;
      this.slots[this.root * FANOUT] = 0;
      this.counts[this.root] = 0;
      this.freeNode(this.root);
      this.root = child;
      this.levels--;
      this.limit = LEVEL_LIMIT[this.levels]!;
    }
    return true;
  }

  private allocNode(): number {
    const reused = this.freeNodes.pop();
    if (reused !== undefined) return reused;
    if (this.nodesUsed === this.nodeCap) {
      this.nodeCap *= 2;
      const slots = new Int32Array(this.nodeCap * FANOUT);
      slots.set(this.slots);
      this.slots = slots;
      const counts = new Int32Array(this.nodeCap);
      counts.set(this.counts);
      this.counts = counts;
    }
    return this.nodesUsed++;
  }

  private freeNode(n: number): void {
    this.slots.fill(0, n * FANOUT, (n + 1) * FANOUT);
    this.counts[n] = 0;
    this.freeNodes.push(n);
  }
}
