// A zoomed time range (?from=&to=, ns since trace start) against real ingests: every latency
// query narrows to the groups whose last-page request falls in the window, the over-time
// charts bucket only the window (finer buckets, times still since trace start), and the
// event timeline counts exactly the events in it. Expected values come from plain SQL here.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventsOverTime } from '../../lib/queries/charts/events-over-time.ts';
import { latencyCdf } from '../../lib/queries/charts/latency-cdf.ts';
import { latencyFigures } from '../../lib/queries/charts/latency-figures.ts';
import { latencyFilterSql, type TimeRange } from '../../lib/queries/charts/latency-filter.ts';
import { latencyHistogram } from '../../lib/queries/charts/latency-histogram.ts';
import { latencyOverTime } from '../../lib/queries/charts/latency-over-time.ts';
import { nearestRank, useSamples } from './helpers.ts';

const SAMPLES = ['sim-small.csv', 'intel-v6.9-trace.txt'] as const;

interface TraceWindow {
  origin: bigint;
  range: TimeRange;
}

describe('time range filter', () => {
  const fx = useSamples(SAMPLES);

  /** The middle half of the trace's span. */
  async function middle(traceId: number): Promise<TraceWindow> {
    const [r] = await fx.db.all<{ first: bigint; last: bigint }>('SELECT first_ts_ns AS first, last_ts_ns AS last FROM traces WHERE trace_id = $1', [traceId]);
    const span = r!.last - r!.first;
    return { origin: r!.first, range: { from_ns: span / 4n, to_ns: (3n * span) / 4n } };
  }
  async function latenciesIn(traceId: number, w: TraceWindow): Promise<number[]> {
    const rows = await fx.db.all<{ l: bigint }>(
      `SELECT latency_ns AS l FROM fault_groups WHERE trace_id = $1 AND status = 'answered' AND last_ts_ns >= $2 AND last_ts_ns < $3 ORDER BY latency_ns`,
      [traceId, w.origin + w.range.from_ns, w.origin + w.range.to_ns],
    );
    return rows.map((r) => Number(r.l));
  }

  it('figures, histogram and CDF cover exactly the groups completed in the window', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const w = await middle(id);
      const expected = await latenciesIn(id, w);
      const [all] = await fx.db.all<{ n: bigint }>("SELECT count(*) AS n FROM fault_groups WHERE trace_id = $1 AND status = 'answered'", [id]);
      assert.ok(expected.length > 0 && expected.length < Number(all!.n), `${s}: the window holds some but not all groups (${expected.length})`);
      const f = await latencyFigures(fx.db, id, { range: w.range });
      assert.equal(f.answered, expected.length, s);
      assert.equal(f.latency_ns.p50, nearestRank(expected, 0.5), s);
      assert.equal(f.latency_ns.p99, nearestRank(expected, 0.99), s);
      assert.equal(f.latency_ns.max, expected.at(-1), s);
      const h = await latencyHistogram(fx.db, id, { range: w.range });
      assert.equal(h.total, expected.length, s);
      const cdf = await latencyCdf(fx.db, id, { range: w.range });
      assert.equal(cdf.at(-1)?.latency_ns, expected.at(-1), s);
    }
  });

  it('latency over time buckets the window only, finer than the whole trace', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const w = await middle(id);
      const whole = await latencyOverTime(fx.db, id);
      const zoomed = await latencyOverTime(fx.db, id, { range: w.range });
      assert.ok(zoomed.bucket_ns <= whole.bucket_ns, `${s}: ${zoomed.bucket_ns} ≤ ${whole.bucket_ns}`);
      assert.equal(
        zoomed.buckets.reduce((n, b) => n + b.count, 0),
        (await latenciesIn(id, w)).length,
        s,
      );
      for (const b of zoomed.buckets) {
        assert.ok(b.t_ns >= Number(w.range.from_ns) && b.t_ns < Number(w.range.to_ns), `${s}: bucket at ${b.t_ns} inside the window`);
        assert.equal((b.t_ns - Number(w.range.from_ns)) % zoomed.bucket_ns, 0, `${s}: buckets start at the window's start`);
      }
    }
  });

  it('the event timeline counts exactly the events in the window', async () => {
    for (const s of SAMPLES) {
      const id = fx.ids[s]!;
      const w = await middle(id);
      const [n] = await fx.db.all<{ n: bigint }>('SELECT count(*) AS n FROM events WHERE trace_id = $1 AND ts_ns >= $2 AND ts_ns < $3', [
        id,
        w.origin + w.range.from_ns,
        w.origin + w.range.to_ns,
      ]);
      const e = await eventsOverTime(fx.db, id, w.range);
      const counted = e.buckets.reduce((sum, b) => sum + b.page_request + b.page_response + b.unrecoverable_fault + b.context + b.other, 0);
      assert.equal(counted, Number(n!.n), s);
      assert.ok(e.buckets[0]!.t_ns >= Number(w.range.from_ns), s);
      const whole = await eventsOverTime(fx.db, id);
      assert.equal(
        whole.buckets.reduce((sum, b) => sum + b.page_request + b.page_response + b.unrecoverable_fault + b.context + b.other, 0),
        Number((await fx.db.all<{ n: bigint }>('SELECT count(*) AS n FROM events WHERE trace_id = $1 AND ts_ns IS NOT NULL', [id]))[0]!.n),
        `${s}: unzoomed timeline still counts every timed event`,
      );
    }
  });

  it('the range travels as parameters, relative to the trace start', () => {
    const f = latencyFilterSql({ range: { from_ns: 10n, to_ns: 20n } }, 3);
    assert.deepEqual(f.params, [10n, 20n]);
    assert.match(f.sql, /last_ts_ns >= \(SELECT first_ts_ns FROM traces t WHERE t\.trace_id = fault_groups\.trace_id\) \+ CAST\(\$3 AS BIGINT\)/);
    assert.match(f.sql, /< .*\$4/);
  });
});
