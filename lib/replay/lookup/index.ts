// Builds a lookup structure of a given kind from a set of keys. The replay models call it
// for their PASID tables; the PASID sweep calls it once per point and shares the result
// between runs (the structures are only read during a replay).

import { HashTable } from './hash-table.ts';
import { LinkedList } from './linked-list.ts';
import { RbTree } from './rb-tree.ts';
import type { LookupStructure, StructureKind } from './types.ts';
import { XArray } from './xarray.ts';

export { HashTable } from './hash-table.ts';
export { LinkedList } from './linked-list.ts';
export { RbTree } from './rb-tree.ts';
export { XArray, xarrayLevelsFor } from './xarray.ts';
export { NOT_FOUND, STRUCTURE_KINDS, type LookupStructure, type StructureKind } from './types.ts';

/**
 * A structure of `kind` holding keys[i] → values[i], inserted in array order (that order is
 * the list's walk order: allocation order for PASIDs). Keys must be distinct.
 */
export function buildStructure(kind: StructureKind, keys: ArrayLike<number>, values: ArrayLike<number>): LookupStructure {
  const n = keys.length;
  switch (kind) {
    case 'xarray': {
      const x = new XArray(Math.max(4, Math.ceil(n / 32)));
      for (let i = 0; i < n; i++) x.insert(keys[i]!, values[i]!);
      return x;
    }
    case 'list': {
      const l = new LinkedList(n);
      for (let i = 0; i < n; i++) l.insert(keys[i]!, values[i]!);
      return l;
    }
    case 'hash': {
      const h = new HashTable(n);
      for (let i = 0; i < n; i++) h.insert(keys[i]!, values[i]!);
      return h;
    }
    case 'rbtree': {
      // Sort (key, value) pairs by key, then build a perfectly balanced tree: a find visits at
      // most floor(log2 n) + 1 nodes, a little below the average of a tree grown by inserts,
      // and a million entries build in milliseconds instead of a million rebalancing inserts.
      const k = new Int32Array(n);
      const v = new Int32Array(n);
      let sorted = true;
      for (let i = 1; i < n && sorted; i++) sorted = keys[i]! > keys[i - 1]!;
      if (sorted) {
        for (let i = 0; i < n; i++) {
          k[i] = keys[i]!;
          v[i] = values[i]!;
        }
      } else if (n < 1 << 22) {
        // key · 2^22 + position stays below 2^53: one native numeric sort, no comparator.
        const packed = new Float64Array(n);
        for (let i = 0; i < n; i++) packed[i] = keys[i]! * 4194304 + i;
        packed.sort();
        for (let i = 0; i < n; i++) {
          const pos = packed[i]! % 4194304;
          k[i] = keys[pos]!;
          v[i] = values[pos]!;
        }
      } else {
        const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
        for (let i = 0; i < n; i++) {
          k[i] = keys[order[i]!]!;
          v[i] = values[order[i]!]!;
        }
      }
      return RbTree.buildFromSorted(k, v);
    }
  }
}
