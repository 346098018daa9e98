// The one interface every lookup structure of the replay implements, so a model can swap
// the domain lookup between xarray, list, rb-tree and hash table. Each operation records how
// many nodes or entries it touched (lastVisits); the engine turns visits into time with a
// per-visit cost. Keys are integers in [0, 2^31) (PASIDs, RIDs, group ids), values are
// integers ≥ 0 (ids the model understands).

export type StructureKind = 'xarray' | 'list' | 'rbtree' | 'hash';

export const STRUCTURE_KINDS: readonly StructureKind[] = ['xarray', 'list', 'rbtree', 'hash'];

export const NOT_FOUND = -1;

export interface LookupStructure {
  readonly kind: StructureKind;
  /** Number of entries held. */
  readonly size: number;
  /** Nodes or entries visited by the last insert, remove or find. */
  readonly lastVisits: number;
  /** Adds key → value. Keys are unique: a present key is replaced, except by the list,
   *  which (like list_add) appends without searching. */
  insert(key: number, value: number): void;
  /** Removes key; false when it was absent. */
  remove(key: number): boolean;
  /** The value stored for key, or NOT_FOUND. */
  find(key: number): number;
}

export const MAX_KEY = 0x7fffffff;

export function checkKey(key: number): void {
  if (!Number.isInteger(key) || key < 0 || key > MAX_KEY) {
    throw new RangeError(`lookup key must be an integer in [0, 2^31), got ${key}`);
  }
}

export function checkValue(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= MAX_KEY) {
    throw new RangeError(`lookup value must be an integer in [0, 2^31 - 1), got ${value}`);
  }
}
