// The per-device model's pending-fault lists must count exactly what a list_head walk from
// the oldest entry compares — checked against LinkedList (which walks) under random reports
// and out-of-order responses on several devices.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinkedList } from '../../lib/replay/lookup/index.ts';
import { PendingFaults } from '../../lib/replay/models/pending-faults.ts';
import { Rng } from '../../lib/replay/rng.ts';

test('remove visits as many entries as the walk from the head, whatever the order', () => {
  const devices = 3;
  const groups = 5000;
  const rng = new Rng(7);
  const lists = new PendingFaults(devices, groups);
  const walked = Array.from({ length: devices }, () => new LinkedList(4));
  const pending: { d: number; g: number }[] = [];
  let next = 0;
  let longest = 0;
  while (next < groups || pending.length > 0) {
    if (next < groups && (pending.length === 0 || rng.nextInt(100) < 52)) {
      const d = rng.nextInt(devices);
      lists.insert(d, next);
      walked[d]!.insert(next, next);
      pending.push({ d, g: next++ });
    } else {
      // Mostly the oldest few, sometimes any: responses complete out of order.
      const k = rng.nextInt(4) === 0 ? rng.nextInt(pending.length) : Math.min(pending.length - 1, rng.nextInt(3));
      const { d, g } = pending.splice(k, 1)[0]!;
      assert.equal(lists.remove(d, g), true);
      assert.equal(walked[d]!.remove(g), true);
      assert.equal(lists.lastVisits, walked[d]!.lastVisits, `group ${g} on device ${d}`);
      longest = Math.max(longest, lists.lastVisits);
    }
  }
  assert.ok(longest > 20, `walks long enough to matter (${longest})`);
  // Absent: the whole list is walked, as LinkedList reports.
  lists.insert(1, 10);
  lists.insert(1, 11);
  assert.equal(lists.remove(1, 12), false);
  assert.equal(lists.lastVisits, 2);
  assert.equal(lists.remove(0, 10), false);
  assert.equal(lists.lastVisits, 0);
  assert.throws(() => lists.insert(2, 11), /already pending/);
});
