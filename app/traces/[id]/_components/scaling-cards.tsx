// The scaling page's charts, from the trace's cached sweep: what the device waits (headline,
// with intervals), drops and drain utilisation on the same x axis, latency from report and
// lookup cost as secondary views; and the ranking at the largest PASID count.

import { scalingData } from '@/lib/queries/charts/scaling.ts';
import type { Allocation } from '@/lib/replay/sweep.ts';
import { ScalingChart, type ScalingMetric } from '../../../_components/charts/scaling-chart.tsx';
import { Empty } from '../../../_components/empty.tsx';
import { withDb } from '../../../_data/db.ts';
import { fmtCount, fmtNs } from '../../../_lib/format.ts';

export async function ScalingChartCard({ traceId, allocation, metric }: { traceId: number; allocation: Allocation; metric: ScalingMetric }) {
  const data = await withDb((db) => scalingData(db, traceId, allocation));
  if (!data || data.series.length === 0) return <Empty>No sweep points for {allocation} allocation.</Empty>;
  return <ScalingChart series={data.series} metric={metric} tracePasids={data.trace_pasids} testId={`chart-scaling-${metric}`} />;
}

/** At the largest PASID count, every model × structure, worst device wait first. */
export async function ScalingRankingCard({ traceId, allocation }: { traceId: number; allocation: Allocation }) {
  const data = await withDb((db) => scalingData(db, traceId, allocation));
  if (!data || data.ranking.length === 0) return <Empty>No sweep points for {allocation} allocation.</Empty>;
  const n = data.ranking[0]!.pasids;
  return (
    <div className="table-wrap">
      <table data-testid="scaling-ranking">
        <caption className="muted" style={{ textAlign: 'left', captionSide: 'top', paddingBottom: 4 }}>
          At {fmtCount(n)} live PASIDs, worst first (mean over seeds {data.seeds.join(', ')}; [range one more seed lands in]).
        </caption>
        <thead>
          <tr>
            <th scope="col">model / structure</th>
            <th scope="col" className="num">
              device waits p99
            </th>
            <th scope="col" className="num">
              drops
            </th>
            <th scope="col" className="num">
              drain thread awake
            </th>
          </tr>
        </thead>
        <tbody>
          {data.ranking.map((r) => (
            <tr key={r.key} data-key={r.key} data-device-p99={r.device_p99_ns ?? ''}>
              <th scope="row" style={{ fontWeight: 400 }}>
                {r.key}
              </th>
              <td className="num">
                {fmtNs(r.device_p99_ns === null ? null : Math.round(r.device_p99_ns))}
                {r.device_p99_lo !== null && r.device_p99_hi !== null && r.device_p99_hi > r.device_p99_lo ? (
                  <span className="muted">
                    {' '}
                    [{fmtNs(Math.round(r.device_p99_lo))}, {fmtNs(Math.round(r.device_p99_hi))}]
                  </span>
                ) : null}
              </td>
              <td className="num">{fmtCount(Math.round(r.drops))}</td>
              <td className="num">{r.drain_utilisation === null ? '—' : `${(r.drain_utilisation * 100).toFixed(1)} %`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
