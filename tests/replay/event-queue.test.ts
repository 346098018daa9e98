// The event queue's FIFO lane (pushLater) must give exactly the order of one heap: the
// earliest time first, ties in push order — checked pop by pop against a linear-scan
// reference queue, with heap and lane events interleaved and equal times frequent. The head's
// push stamp (peekSeq), which the engine compares with its drain-thread slots, is checked too.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventQueue } from '../../lib/replay/event-queue.ts';
import { Rng } from '../../lib/replay/rng.ts';

test('pushLater and push interleaved pop in (time, push order), as one heap would', () => {
  const rng = new Rng(42);
  const q = new EventQueue(4);
  const ref: { time: number; id: number; seq: number }[] = [];
  let seq = 0;
  const popRef = () => {
    let best = 0;
    for (let k = 1; k < ref.length; k++) if (ref[k]!.time < ref[best]!.time) best = k;
    return ref.splice(best, 1)[0]!;
  };
  let now = 0;
  let laneTail = 0;
  let lanePushes = 0;
  let fallbacks = 0;
  for (let id = 0; id < 20_000; id++) {
    const roll = rng.nextInt(10);
    if (roll < 4) {
      // Times on a coarse grid, so ties between heap and lane events are common.
      const time = now + rng.nextInt(8) * 10;
      q.push(time, 0, id, 0);
      ref.push({ time, id, seq: seq++ });
    } else if (roll < 7) {
      // Mostly non-decreasing (the lane), now and then earlier (must fall back to the heap).
      const time = rng.nextInt(20) === 0 ? now : Math.max(laneTail, now + rng.nextInt(3) * 10);
      if (time < laneTail) fallbacks++;
      laneTail = Math.max(laneTail, time);
      q.pushLater(time, 1, id, 0);
      ref.push({ time, id, seq: seq++ });
      lanePushes++;
    } else if (roll === 7) {
      // A stamp taken for an event kept outside the queue uses up a push number.
      assert.equal(q.stamp(), seq++);
    } else if (ref.length > 0) {
      const want = popRef();
      assert.equal(q.peekTime(), want.time);
      assert.equal(q.peekSeq(), want.seq);
      assert.equal(q.pop(), true);
      assert.deepEqual([q.popTime, q.popA], [want.time, want.id]);
      now = want.time;
    }
    assert.equal(q.size, ref.length);
  }
  while (ref.length > 0) {
    const want = popRef();
    q.pop();
    assert.deepEqual([q.popTime, q.popA], [want.time, want.id]);
  }
  assert.equal(q.pop(), false);
  assert.equal(q.peekTime(), Infinity);
  assert.ok(lanePushes > 5000 && fallbacks > 50, `lane ${lanePushes}, fallbacks ${fallbacks}`);
});
