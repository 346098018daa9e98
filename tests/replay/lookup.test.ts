import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { buildStructure, HashTable, LinkedList, NOT_FOUND, RbTree, STRUCTURE_KINDS, XArray, xarrayLevelsFor } from '../../lib/replay/lookup/index.ts';
import { Rng } from '../../lib/replay/rng.ts';

describe('xarray', () => {
  it('has as many levels as the largest index needs', () => {
    assert.equal(xarrayLevelsFor(1), 1);
    assert.equal(xarrayLevelsFor(63), 1);
    assert.equal(xarrayLevelsFor(64), 2);
    assert.equal(xarrayLevelsFor(4095), 2);
    assert.equal(xarrayLevelsFor(4096), 3);
    assert.equal(xarrayLevelsFor(262143), 3);
    assert.equal(xarrayLevelsFor(262144), 4);
    assert.equal(xarrayLevelsFor(2 ** 20 - 1), 4);
  });

  it('visits one node per level, whatever the number of entries', () => {
    const x = new XArray();
    x.insert(5, 50);
    assert.equal(x.find(5), 50);
    assert.equal(x.lastVisits, 1);
    x.insert(70, 700); // 70 > 63: a second level
    assert.equal(x.height, 2);
    assert.equal(x.find(5), 50);
    assert.equal(x.lastVisits, 2);
    x.insert(300000, 3); // 4 levels
    assert.equal(x.find(5), 50);
    assert.equal(x.lastVisits, 4);
    assert.equal(x.find(300001), NOT_FOUND);
    // Removing the large index shrinks the tree back, as xas_shrink does.
    assert.equal(x.remove(300000), true);
    assert.equal(x.height, 2);
    assert.equal(x.remove(70), true);
    assert.equal(x.height, 1);
    assert.equal(x.find(5), 50);
    assert.equal(x.lastVisits, 1);
    assert.equal(x.remove(5), true);
    assert.equal(x.size, 0);
    assert.equal(x.find(5), NOT_FOUND);
    assert.equal(x.lastVisits, 0);
  });

  it('steps at 64 / 4096 / 262144 dense entries and sits at 4 levels for sparse ones', () => {
    const dense = (n: number): number => {
      const keys = Int32Array.from({ length: n }, (_, i) => i + 1);
      const x = buildStructure('xarray', keys, keys);
      x.find(1);
      return x.lastVisits;
    };
    assert.equal(dense(63), 1);
    assert.equal(dense(64), 2);
    assert.equal(dense(4095), 2);
    assert.equal(dense(4096), 3);
    assert.equal(dense(262143), 3);
    assert.equal(dense(262144), 4);
    const sparse = new XArray();
    sparse.insert(0xfffff, 1);
    sparse.insert(2, 2);
    sparse.find(2);
    assert.equal(sparse.lastVisits, 4);
  });
});

describe('linked list', () => {
  it('walks from the head and counts entries compared', () => {
    const l = new LinkedList(2);
    for (let k = 10; k < 15; k++) l.insert(k, k * 2);
    assert.equal(l.find(10), 20);
    assert.equal(l.lastVisits, 1);
    assert.equal(l.find(14), 28);
    assert.equal(l.lastVisits, 5);
    assert.equal(l.find(99), NOT_FOUND);
    assert.equal(l.lastVisits, 5);
    assert.equal(l.remove(12), true);
    assert.equal(l.lastVisits, 3);
    assert.equal(l.find(14), 28);
    assert.equal(l.lastVisits, 4);
    l.insertFirst(1, 1);
    assert.equal(l.find(1), 1);
    assert.equal(l.lastVisits, 1);
    assert.equal(l.size, 5);
  });

  it('a long append-only list answers from its index what the walk gives: value and visits', () => {
    // `walked` had an insertFirst and a remove first, so it always walks; same entries, same order.
    const indexed = new LinkedList(4);
    const walked = new LinkedList(4);
    walked.insertFirst(7_000_000, 0);
    walked.remove(7_000_000);
    const rng = new Rng(3);
    for (let i = 0; i < 5000; i++) {
      const k = rng.nextInt(4000); // duplicates: find returns the first
      indexed.insert(k, i);
      walked.insert(k, i);
      if (i === 3000) {
        // Found once (index built), then appended to: the index follows.
        assert.equal(indexed.find(k), walked.find(k));
      }
    }
    for (let j = 0; j < 2000; j++) {
      const k = rng.nextInt(4200);
      assert.equal(indexed.find(k), walked.find(k), `key ${k}`);
      assert.equal(indexed.lastVisits, walked.lastVisits, `visits of key ${k}`);
    }
    // A remove ends the shortcut: the list walks again and still agrees.
    assert.equal(indexed.remove(17), walked.remove(17));
    for (const k of [0, 17, 3999, 4100]) {
      assert.equal(indexed.find(k), walked.find(k));
      assert.equal(indexed.lastVisits, walked.lastVisits);
    }
  });

  it('the index agrees with the walk for short lists, keys past 2^20 and keys added after it was built', () => {
    const indexed = new LinkedList(2);
    const walked = new LinkedList(2);
    walked.insertFirst(5, 0);
    walked.remove(5);
    const add = (k: number, v: number) => {
      indexed.insert(k, v);
      walked.insert(k, v);
    };
    const check = (keys: number[]) => {
      for (const k of keys) {
        assert.equal(indexed.find(k), walked.find(k), `key ${k}`);
        assert.equal(indexed.lastVisits, walked.lastVisits, `visits of key ${k}`);
      }
    };
    // A PCI-bus-sized list of RIDs: the typed index, built at the first find.
    for (let i = 0; i < 20; i++) add(i * 8, i);
    check([0, 8, 152, 153, 4096]);
    // Appended after the index exists: a small key joins it, a key past 2^20 switches to the Map.
    add(3, 20);
    add(8, 21);
    check([3, 8, 152]);
    add(2 ** 24 + 1, 22);
    check([3, 2 ** 24 + 1, 2 ** 24, 160]);
    add(7, 23);
    check([7, 2 ** 24 + 1, 0]);
  });
});

describe('rb-tree', () => {
  it('stays a valid red-black tree through random inserts and removes', () => {
    const rng = new Rng(7);
    const t = new RbTree(4);
    const ref = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const k = rng.nextInt(2000);
      if (rng.nextFloat() < 0.6) {
        t.insert(k, i);
        ref.set(k, i);
      } else {
        assert.equal(t.remove(k), ref.delete(k));
      }
      if (i % 500 === 0) t.validate();
    }
    t.validate();
    assert.equal(t.size, ref.size);
    for (let k = 0; k < 2000; k++) assert.equal(t.find(k), ref.get(k) ?? NOT_FOUND);
  });

  it('builds a balanced valid tree from sorted keys', () => {
    for (const n of [1, 2, 3, 7, 8, 100, 1023, 1024, 5000]) {
      const keys = Int32Array.from({ length: n }, (_, i) => i * 3);
      const t = RbTree.buildFromSorted(keys, keys);
      t.validate();
      let worst = 0;
      for (const k of keys) {
        assert.equal(t.find(k), k);
        worst = Math.max(worst, t.lastVisits);
      }
      assert.equal(worst, Math.floor(Math.log2(n)) + 1);
    }
  });
});

describe('hash table', () => {
  it('finds every key in about one probe and survives removals', () => {
    const h = new HashTable(4);
    for (let k = 0; k < 10000; k++) h.insert(k * 7919, k);
    let visits = 0;
    for (let k = 0; k < 10000; k++) {
      assert.equal(h.find(k * 7919), k);
      visits += h.lastVisits;
    }
    assert.ok(visits / 10000 < 2, `mean visits ${visits / 10000}`);
    for (let k = 0; k < 10000; k += 2) assert.equal(h.remove(k * 7919), true);
    assert.equal(h.size, 5000);
    assert.equal(h.find(0), NOT_FOUND);
    assert.equal(h.find(7919), 1);
  });
});

describe('buildStructure', () => {
  it('gives every kind the same contents', () => {
    const keys = Int32Array.from([9, 3, 700, 1, 65]);
    const values = Int32Array.from([0, 1, 2, 3, 4]);
    for (const kind of STRUCTURE_KINDS) {
      const s = buildStructure(kind, keys, values);
      assert.equal(s.kind, kind);
      assert.equal(s.size, 5);
      keys.forEach((k, i) => assert.equal(s.find(k), values[i]));
      assert.equal(s.find(2), NOT_FOUND);
    }
  });
});
