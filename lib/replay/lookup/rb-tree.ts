// A red-black tree (the kernel's rbtree, here in typed-array pools) keyed by integers. Intel
// v6.9+ finds the device behind a RID in a per-IOMMU rbtree of probed devices; the replay
// also offers it as a domain-lookup variant. find counts the nodes compared on the way
// down. buildFromSorted makes a valid, balanced tree in O(n) so that a PASID sweep can
// populate a million entries without a million rebalancing inserts.

import { checkKey, checkValue, NOT_FOUND, type LookupStructure } from './types.ts';

const NIL = 0; // sentinel node, always black
const BLACK = 0;
const RED = 1;

export class RbTree implements LookupStructure {
  readonly kind = 'rbtree' as const;
  size = 0;
  lastVisits = 0;
  private keys: Int32Array;
  private values: Int32Array;
  private left: Int32Array;
  private right: Int32Array;
  private parent: Int32Array;
  private color: Uint8Array;
  private root = NIL;
  private used = 1;
  private freeNodes: number[] = [];

  constructor(capacity = 16) {
    const cap = Math.max(2, capacity + 1);
    this.keys = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
    this.parent = new Int32Array(cap);
    this.color = new Uint8Array(cap);
  }

  /** A tree holding keys (strictly increasing) → values, built balanced in O(n). */
  static buildFromSorted(keys: ArrayLike<number>, values: ArrayLike<number>): RbTree {
    const n = keys.length;
    const t = new RbTree(n);
    for (let i = 0; i < n; i++) {
      checkKey(keys[i]!);
      checkValue(values[i]!);
      if (i > 0 && keys[i]! <= keys[i - 1]!) throw new RangeError('buildFromSorted needs strictly increasing keys');
    }
    if (n === 0) return t;
    // Middle splits keep every nil at depth d or d + 1, so all levels above the deepest are
    // full: colouring the deepest level red (and the rest black) gives equal black heights.
    const deepest = Math.floor(Math.log2(n));
    const build = (lo: number, hi: number, depth: number, par: number): number => {
      if (lo > hi) return NIL;
      const mid = (lo + hi) >>> 1;
      const node = t.used++;
      t.keys[node] = keys[mid]!;
      t.values[node] = values[mid]!;
      t.parent[node] = par;
      t.color[node] = depth === deepest && depth > 0 ? RED : BLACK;
      t.left[node] = build(lo, mid - 1, depth + 1, node);
      t.right[node] = build(mid + 1, hi, depth + 1, node);
      return node;
    };
    t.root = build(0, n - 1, 0, NIL);
    t.size = n;
    return t;
  }

  find(key: number): number {
    const keys = this.keys;
    let visits = 0;
    let x = this.root;
    while (x !== NIL) {
      visits++;
      const k = keys[x]!;
      if (key === k) {
        this.lastVisits = visits;
        return this.values[x]!;
      }
      x = key < k ? this.left[x]! : this.right[x]!;
    }
    this.lastVisits = visits;
    return NOT_FOUND;
  }

  insert(key: number, value: number): void {
    checkKey(key);
    checkValue(value);
    let visits = 0;
    let y = NIL;
    let x = this.root;
    while (x !== NIL) {
      visits++;
      y = x;
      const k = this.keys[x]!;
      if (key === k) {
        this.values[x] = value;
        this.lastVisits = visits;
        return;
      }
      x = key < k ? this.left[x]! : this.right[x]!;
    }
    this.lastVisits = visits;
    const z = this.alloc();
    this.keys[z] = key;
    this.values[z] = value;
    this.parent[z] = y;
    this.left[z] = NIL;
    this.right[z] = NIL;
    this.color[z] = RED;
    if (y === NIL) this.root = z;
    else if (key < this.keys[y]!) this.left[y] = z;
    else this.right[y] = z;
    this.size++;
    this.insertFixup(z);
  }

  remove(key: number): boolean {
    let visits = 0;
    let z = this.root;
    while (z !== NIL) {
      visits++;
      const k = this.keys[z]!;
      if (key === k) break;
      z = key < k ? this.left[z]! : this.right[z]!;
    }
    this.lastVisits = visits;
    if (z === NIL) return false;
    const { left, right, parent, color } = this;
    let y = z;
    let yColor = color[y]!;
    let x: number;
    if (left[z] === NIL) {
      x = right[z]!;
      this.transplant(z, x);
    } else if (right[z] === NIL) {
      x = left[z]!;
      this.transplant(z, x);
    } else {
      y = right[z]!;
      while (left[y] !== NIL) y = left[y]!;
      yColor = color[y]!;
      x = right[y]!;
      if (parent[y] === z) {
        parent[x] = y; // x may be the sentinel: its parent is needed by the fix-up
      } else {
        this.transplant(y, x);
        right[y] = right[z]!;
        parent[right[y]!] = y;
      }
      this.transplant(z, y);
      left[y] = left[z]!;
      parent[left[y]!] = y;
      color[y] = color[z]!;
    }
    if (yColor === BLACK) this.deleteFixup(x);
    this.freeNodes.push(z);
    this.size--;
    this.color[NIL] = BLACK;
    return true;
  }

  /** Checks the red-black invariants; returns the black height. For tests. */
  validate(): number {
    const walk = (x: number, lo: number, hi: number): number => {
      if (x === NIL) return 1;
      const k = this.keys[x]!;
      if (k < lo || k > hi) throw new Error(`rbtree order broken at key ${k}`);
      if (this.color[x] === RED && (this.color[this.left[x]!] === RED || this.color[this.right[x]!] === RED)) {
        throw new Error(`red node ${k} has a red child`);
      }
      if (this.left[x] !== NIL && this.parent[this.left[x]!] !== x) throw new Error(`bad parent link at ${k}`);
      if (this.right[x] !== NIL && this.parent[this.right[x]!] !== x) throw new Error(`bad parent link at ${k}`);
      const l = walk(this.left[x]!, lo, k - 1);
      const r = walk(this.right[x]!, k + 1, hi);
      if (l !== r) throw new Error(`black heights differ under ${k}`);
      return l + (this.color[x] === BLACK ? 1 : 0);
    };
    if (this.color[this.root] === RED) throw new Error('red root');
    return walk(this.root, -Infinity, Infinity);
  }

  private insertFixup(z: number): void {
    const { parent, left, right, color } = this;
    while (color[parent[z]!] === RED) {
      const p = parent[z]!;
      const g = parent[p]!;
      if (p === left[g]) {
        const u = right[g]!;
        if (color[u] === RED) {
          color[p] = BLACK;
          color[u] = BLACK;
          color[g] = RED;
          z = g;
        } else {
          if (z === right[p]) {
            z = p;
            this.rotateLeft(z);
          }
          const p2 = parent[z]!;
          color[p2] = BLACK;
          color[parent[p2]!] = RED;
          this.rotateRight(parent[p2]!);
        }
      } else {
        const u = left[g]!;
        if (color[u] === RED) {
          color[p] = BLACK;
          color[u] = BLACK;
          color[g] = RED;
          z = g;
        } else {
          if (z === left[p]) {
            z = p;
            this.rotateRight(z);
          }
          const p2 = parent[z]!;
          color[p2] = BLACK;
          color[parent[p2]!] = RED;
          this.rotateLeft(parent[p2]!);
        }
      }
    }
    color[this.root] = BLACK;
  }

  private deleteFixup(x: number): void {
    const { parent, left, right, color } = this;
    while (x !== this.root && color[x] === BLACK) {
      const p = parent[x]!;
      if (x === left[p]) {
        let w = right[p]!;
        if (color[w] === RED) {
          color[w] = BLACK;
          color[p] = RED;
          this.rotateLeft(p);
          w = right[parent[x]!]!;
        }
        if (color[left[w]!] === BLACK && color[right[w]!] === BLACK) {
          color[w] = RED;
          x = parent[x]!;
        } else {
          if (color[right[w]!] === BLACK) {
            color[left[w]!] = BLACK;
            color[w] = RED;
            this.rotateRight(w);
            w = right[parent[x]!]!;
          }
          color[w] = color[parent[x]!]!;
          color[parent[x]!] = BLACK;
          color[right[w]!] = BLACK;
          this.rotateLeft(parent[x]!);
          x = this.root;
        }
      } else {
        let w = left[p]!;
        if (color[w] === RED) {
          color[w] = BLACK;
          color[p] = RED;
          this.rotateRight(p);
          w = left[parent[x]!]!;
        }
        if (color[right[w]!] === BLACK && color[left[w]!] === BLACK) {
          color[w] = RED;
          x = parent[x]!;
        } else {
          if (color[left[w]!] === BLACK) {
            color[right[w]!] = BLACK;
            color[w] = RED;
            this.rotateLeft(w);
            w = left[parent[x]!]!;
          }
          color[w] = color[parent[x]!]!;
          color[parent[x]!] = BLACK;
          color[left[w]!] = BLACK;
          this.rotateRight(parent[x]!);
          x = this.root;
        }
      }
    }
    color[x] = BLACK;
  }

  private rotateLeft(x: number): void {
    const { parent, left, right } = this;
    const y = right[x]!;
    right[x] = left[y]!;
    if (left[y] !== NIL) parent[left[y]!] = x;
    parent[y] = parent[x]!;
    if (parent[x] === NIL) this.root = y;
    else if (x === left[parent[x]!]) left[parent[x]!] = y;
    else right[parent[x]!] = y;
    left[y] = x;
    parent[x] = y;
  }

  private rotateRight(x: number): void {
    const { parent, left, right } = this;
    const y = left[x]!;
    left[x] = right[y]!;
    if (right[y] !== NIL) parent[right[y]!] = x;
    parent[y] = parent[x]!;
    if (parent[x] === NIL) this.root = y;
    else if (x === right[parent[x]!]) right[parent[x]!] = y;
    else left[parent[x]!] = y;
    right[y] = x;
    parent[x] = y;
  }

  private transplant(u: number, v: number): void {
    const { parent, left, right } = this;
    if (parent[u] === NIL) this.root = v;
    else if (u === left[parent[u]!]) left[parent[u]!] = v;
    else right[parent[u]!] = v;
    parent[v] = parent[u]!;
  }

  private alloc(): number {
    const reused = this.freeNodes.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.keys.length) {
      const cap = this.keys.length * 2;
      for (const name of ['keys', 'values', 'left', 'right', 'parent'] as const) {
        const a = new Int32Array(cap);
        a.set(this[name]);
        this[name] = a;
      }
      const c = new Uint8Array(cap);
      c.set(this.color);
      this.color = c;
    }
    return this.used++;
  }
}
