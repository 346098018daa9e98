// The ingest queue's order (ingest-jobs.ts): the smallest waiting file goes next, except that an
// ingest that has waited INGEST_AGING_MS goes first whatever its size. Date is mocked, so the
// 60 s are crossed without waiting them.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { enqueueIngest, INGEST_AGING_MS } from '../../lib/services/ingest-jobs.ts';

/** Queues a job that records its start and runs until released. */
function job(order: string[], name: string, bytes: number) {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const done = enqueueIngest(async () => {
    order.push(name);
    await held;
  }, bytes);
  return { release, done };
}

/** The queue starts the next job once the finished one's promise has settled: let it. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('ingest queue order', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('runs the smallest waiting file next while none has waited the aging time', async () => {
    const order: string[] = [];
    const running = job(order, 'running', 1);
    const big = job(order, 'big', 900 << 20);
    mock.timers.tick(INGEST_AGING_MS - 1);
    const small = job(order, 'small', 10);
    running.release();
    await running.done;
    await settle();
    assert.deepEqual(order, ['running', 'small']);
    small.release();
    await small.done;
    await settle();
    big.release();
    await big.done;
    await settle();
    assert.deepEqual(order, ['running', 'small', 'big']);
  });

  it('runs a file that waited the aging time before smaller ones that came later', async () => {
    const order: string[] = [];
    const running = job(order, 'running', 1);
    const big = job(order, 'big', 900 << 20);
    const small1 = job(order, 'small1', 10);
    mock.timers.tick(INGEST_AGING_MS);
    const small2 = job(order, 'small2', 5);
    running.release();
    await running.done;
    await settle();
    // big and small1 both waited 60 s: the first come of them goes, though small1 and small2 are smaller.
    assert.deepEqual(order, ['running', 'big']);
    big.release();
    await big.done;
    await settle();
    assert.deepEqual(order, ['running', 'big', 'small1']);
    small1.release();
    await small1.done;
    await settle();
    small2.release();
    await small2.done;
    await settle();
    assert.deepEqual(order, ['running', 'big', 'small1', 'small2']);
  });
});
