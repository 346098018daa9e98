// The scaling page's charts: one card per metric (lookup visits, lookup ns, p99 latency)
// against the number of live PASIDs, from the trace's cached sweep.

import { scalingData } from '@/lib/queries/charts/scaling.ts';
import type { Allocation } from '@/lib/replay/sweep.ts';
import { ScalingChart, type ScalingMetric } from '../../../_components/charts/scaling-chart.tsx';
import { Empty } from '../../../_components/empty.tsx';
import { withDb } from '../../../_data/db.ts';

export async function ScalingChartCard({ traceId, allocation, metric }: { traceId: number; allocation: Allocation; metric: ScalingMetric }) {
  const data = await withDb((db) => scalingData(db, traceId, allocation));
  if (!data || data.series.length === 0) return <Empty>No sweep points for {allocation} allocation.</Empty>;
  return <ScalingChart series={data.series} metric={metric} tracePasids={data.trace_pasids} testId={`chart-scaling-${metric}`} />;
}
