// The stored group summary on hand-made fault groups: p99 is the nearest rank (the ⌈0.99·n⌉-th
// smallest answered latency), worked out below for each case, and the counts keep only what
// they should.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fillMissingGroupSummaries } from '../../lib/db/group-summary.ts';
import type { Db } from '../../lib/db/instance.ts';
import { withTempDb } from '../helpers/temp-db.ts';

let nextTrace = 1;

/** A trace with one fault group per latency (answered; null: unanswered) and the extra statuses given. */
async function traceWith(db: Db, latencies: (number | null)[], extra: string[] = []): Promise<number> {
  const id = nextTrace++;
  await db.run(
    `INSERT INTO traces (trace_id, name, source_file, format, file_hash, file_bytes, ingested_at)
     VALUES ($1, $2, 'x', 'ftrace', 'h', 1, now()::TIMESTAMP)`,
    [id, `t${id}`],
  );
  const rows: [string, number | null][] = [
    ...latencies.map((l): [string, number | null] => [l === null ? 'unanswered' : 'answered', l]),
    ...extra.map((s): [string, null] => [s, null]),
  ];
  let no = 0;
  for (const [status, latency] of rows) {
    await db.run(`INSERT INTO fault_groups (trace_id, group_no, status, latency_ns) VALUES ($1, $2, $3, $4)`, [
      id,
      ++no,
      status,
      latency === null ? null : BigInt(latency),
    ]);
  }
  return id;
}

async function summary(db: Db, id: number) {
  const [r] = await db.all<{ groups: bigint | null; answered_groups: bigint | null; latency_p99_ns: bigint | null }>(
    'SELECT groups, answered_groups, latency_p99_ns FROM traces WHERE trace_id = $1',
    [id],
  );
  const n = (v: bigint | null) => (v === null ? null : Number(v));
  return { groups: n(r!.groups), answered: n(r!.answered_groups), p99: n(r!.latency_p99_ns) };
}

/** 1 … n shuffled by a fixed stride (n and 37 coprime in every case below). */
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37) % n) + 1);

it('p99 is the nearest rank: ⌈0.99·n⌉-th smallest', async () => {
  await withTempDb(async (db) => {
    // n = 1: the only value. n = 100: ⌈99⌉ = 99th → 99. n = 101: ⌈99.99⌉ = 100th → 100.
    // n = 250: ⌈247.5⌉ = 248th → 248. n = 99: ⌈98.01⌉ = 99th, the largest → 99.
    const cases: [number[], number][] = [
      [[4200], 4200],
      [oneTo(100), 99],
      [oneTo(101), 100],
      [oneTo(250), 248],
      [oneTo(99), 99],
      // Ties: 98 × 10 and 2 × 20 → the 99th smallest is a 20.
      [[...Array(98).fill(10), 20, 20], 20],
      // 99 × 10 and 1 × 20 → the 99th smallest is still a 10.
      [[...Array(99).fill(10), 20], 10],
    ];
    for (const [latencies, p99] of cases) {
      const id = await traceWith(db, latencies);
      await fillMissingGroupSummaries(db);
      assert.deepEqual(await summary(db, id), { groups: latencies.length, answered: latencies.length, p99 }, `n = ${latencies.length}`);
    }
  });
});

it('counts answered and unanswered groups; p99 only over answered ones', async () => {
  await withTempDb(async (db) => {
    // 3 answered (5, 7, 1000), 2 unanswered, and one of each status that is not a completed group.
    const id = await traceWith(db, [5, null, 1000, null, 7], ['incomplete', 'orphan_response', 'stop_marker']);
    await fillMissingGroupSummaries(db);
    // n = 3: ⌈2.97⌉ = 3rd smallest → 1000.
    assert.deepEqual(await summary(db, id), { groups: 5, answered: 3, p99: 1000 });

    const none = await traceWith(db, [null], ['incomplete']);
    await fillMissingGroupSummaries(db);
    assert.deepEqual(await summary(db, none), { groups: 1, answered: 0, p99: null });
  });
});

it('fills only the traces that lack a summary', async () => {
  await withTempDb(async (db) => {
    const a = await traceWith(db, oneTo(101));
    const b = await traceWith(db, [3, 9]);
    await db.run('UPDATE traces SET groups = 77, answered_groups = 66, latency_p99_ns = 55 WHERE trace_id = $1', [b]);
    await fillMissingGroupSummaries(db);
    assert.deepEqual(await summary(db, a), { groups: 101, answered: 101, p99: 100 });
    assert.deepEqual(await summary(db, b), { groups: 77, answered: 66, p99: 55 }, 'a filled summary is left alone');
  });
});
