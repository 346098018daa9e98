// Compare queries against real ingests and real replay runs: the shared histogram counts each
// side exactly (bins equal each trace's own histogram, sums equal answered groups), and the
// device / PASID deltas equal an independent nearest-rank computation over plain SQL rows,
// ordered by |Δ p99|.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Db } from '../../lib/db/instance.ts';
import { runReplayForTrace } from '../../lib/services/replay-runs.ts';
import { breakdownDelta, sharedHistogram, type DeltaDimension, type LatencySource } from '../../lib/queries/charts/compare.ts';
import { latencyHistogram } from '../../lib/queries/charts/latency-histogram.ts';
import { nearestRank, useSamples } from './helpers.ts';

const A = 'intel-v6.9-trace.txt';
const B = 'intel-v5.14-trace.txt';
const SIM = 'sim-small.csv';

interface Row {
  device: string | null;
  pasid: number;
  latency_ns: number | null;
}

async function rowsOf(db: Db, src: LatencySource): Promise<Row[]> {
  const rows =
    src.kind === 'trace'
      ? await db.all<Record<string, unknown>>(
          "SELECT device, pasid, CASE WHEN status = 'answered' THEN latency_ns END AS l FROM fault_groups WHERE trace_id = $1 AND status IN ('answered', 'unanswered')",
          [src.trace_id],
        )
      : await db.all<Record<string, unknown>>('SELECT device, pasid, latency_ns AS l FROM replay_results WHERE run_id = $1', [src.run_id]);
  return rows.map((r) => ({
    device: r.device === null || r.device === '' ? null : String(r.device),
    pasid: Number(r.pasid),
    latency_ns: r.l === null ? null : Number(r.l),
  }));
}

/** Per key: groups, nearest-rank p50/p99 of the non-null latencies. */
function expected(rows: Row[], dim: DeltaDimension) {
  const by = new Map<string | number | null, number[]>();
  const groups = new Map<string | number | null, number>();
  for (const r of rows) {
    const k = r[dim];
    groups.set(k, (groups.get(k) ?? 0) + 1);
    if (!by.has(k)) by.set(k, []);
    if (r.latency_ns !== null) by.get(k)!.push(r.latency_ns);
  }
  const out = new Map<string | number | null, { groups: number; p50: number | null; p99: number | null }>();
  for (const [k, v] of by) {
    v.sort((x, y) => x - y);
    out.set(k, { groups: groups.get(k)!, p50: nearestRank(v, 0.5), p99: nearestRank(v, 0.99) });
  }
  return out;
}

describe('compare queries', () => {
  const fx = useSamples([A, B, SIM]);

  it('shared histogram: same buckets for both sides, each side counted exactly', async () => {
    const a: LatencySource = { kind: 'trace', trace_id: fx.ids[A]! };
    const b: LatencySource = { kind: 'trace', trace_id: fx.ids[SIM]! };
    const h = await sharedHistogram(fx.db, a, b, 10);
    const ha = await latencyHistogram(fx.db, a.trace_id);
    const hb = await latencyHistogram(fx.db, b.trace_id);
    assert.equal(h.total_a, ha.total);
    assert.equal(h.total_b, hb.total);
    assert.equal(
      h.bins.reduce((n, x) => n + x.a, 0),
      ha.total,
    );
    assert.equal(
      h.bins.reduce((n, x) => n + x.b, 0),
      hb.total,
    );
    // Each trace's own bins sit in the shared ones with the same counts; the rest are 0.
    for (const [side, own] of [
      ['a', ha],
      ['b', hb],
    ] as const) {
      const shared = new Map(h.bins.map((x) => [x.lower_ns, x[side]]));
      for (const bin of own.bins) assert.equal(shared.get(bin.lower_ns), bin.count, `${side} @ ${bin.lower_ns}`);
    }
    for (let i = 1; i < h.bins.length; i++) assert.equal(h.bins[i]!.lower_ns, h.bins[i - 1]!.upper_ns, 'contiguous buckets');
    assert.ok(h.bins.length <= 200, 'a few hundred bins at most');
  });

  it('device and PASID deltas between two traces equal an independent computation', async () => {
    const a: LatencySource = { kind: 'trace', trace_id: fx.ids[A]! };
    const b: LatencySource = { kind: 'trace', trace_id: fx.ids[B]! };
    const ra = await rowsOf(fx.db, a);
    const rb = await rowsOf(fx.db, b);
    for (const dim of ['device', 'pasid'] as const) {
      const d = await breakdownDelta(fx.db, a, b, dim, 50);
      const ea = expected(ra, dim);
      const eb = expected(rb, dim);
      const keys = new Set([...ea.keys(), ...eb.keys()]);
      assert.equal(d.rows.length + d.omitted, keys.size, dim);
      for (const r of d.rows) {
        assert.deepEqual(
          [r.groups_a, r.groups_b, r.p50_a, r.p50_b, r.p99_a, r.p99_b],
          [
            ea.get(r.key)?.groups ?? 0,
            eb.get(r.key)?.groups ?? 0,
            ea.get(r.key)?.p50 ?? null,
            eb.get(r.key)?.p50 ?? null,
            ea.get(r.key)?.p99 ?? null,
            eb.get(r.key)?.p99 ?? null,
          ],
          `${dim} ${r.key}`,
        );
      }
      const deltas = d.rows.map((r) => (r.p99_a === null || r.p99_b === null ? -1 : Math.abs(r.p99_b - r.p99_a)));
      for (let i = 1; i < deltas.length; i++) assert.ok(deltas[i - 1]! >= deltas[i]!, `${dim}: sorted by |Δ p99| (${deltas.join(', ')})`);
    }
  });

  it("two replay runs: histogram and deltas over the runs' per-group results", async () => {
    const id = fx.ids[SIM]!;
    const r1 = await runReplayForTrace(fx.db, id, { model: 'per-device', preset: 'v5.17' });
    const r2 = await runReplayForTrace(fx.db, id, { model: 'domain-wide', preset: 'v6.9' });
    const a: LatencySource = { kind: 'run', run_id: r1.run_id };
    const b: LatencySource = { kind: 'run', run_id: r2.run_id };
    const h = await sharedHistogram(fx.db, a, b);
    assert.equal(h.total_a, r1.summary.answered);
    assert.equal(h.total_b, r2.summary.answered);
    const ra = await rowsOf(fx.db, a);
    const rb = await rowsOf(fx.db, b);
    const d = await breakdownDelta(fx.db, a, b, 'pasid', 3);
    const ea = expected(ra, 'pasid');
    const eb = expected(rb, 'pasid');
    assert.equal(d.rows.length, Math.min(3, ea.size));
    assert.equal(d.omitted, ea.size - d.rows.length);
    for (const r of d.rows) {
      assert.equal(r.groups_a, ea.get(r.key)!.groups);
      assert.equal(r.p99_a, ea.get(r.key)!.p99);
      assert.equal(r.p99_b, eb.get(r.key)!.p99);
    }
    // Top N by |Δ p99|: no omitted key moved more than the last one shown.
    const shown = new Set(d.rows.map((r) => r.key));
    const last = Math.abs(d.rows.at(-1)!.p99_b! - d.rows.at(-1)!.p99_a!);
    for (const [k, v] of ea) if (!shown.has(k)) assert.ok(Math.abs((eb.get(k)?.p99 ?? 0) - (v.p99 ?? 0)) <= last, `PASID ${k} left out rightly`);
  });

  it('refuses a bad limit', async () => {
    await assert.rejects(breakdownDelta(fx.db, { kind: 'trace', trace_id: 1 }, { kind: 'trace', trace_id: 2 }, 'device', 0), RangeError);
  });
});
