import { Suspense } from 'react';
import { Card } from '../../../_components/card.tsx';
import { ChartSkeleton, FiguresSkeleton } from '../../../_components/skeleton.tsx';
import { traceIdFromParam } from '../../../_data/db.ts';
import { filterQuery, latencyFilterProblems, parseLatencyFilter, type SearchParams } from '../../../_data/latency-filter.ts';
import { ParamNotice } from '../../../_components/param-notice.tsx';
import { CODE_NAMES, fmtNs } from '../../../_lib/format.ts';
import { CdfCard, FiguresCard, FilterBar, HistogramCard, OverTimeCard } from '../_components/latency-cards.tsx';

export const dynamic = 'force-dynamic';

export default async function LatencyPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const traceId = traceIdFromParam((await params).id);
  const sp = await searchParams;
  const filter = parseLatencyFilter(sp);
  // Keyed by the filter so a new filter shows skeletons instead of the previous figures.
  const k = filterQuery(filter);
  const scope = [
    filter.device != null ? `device ${filter.device}` : null,
    filter.pasid != null ? `PASID ${filter.pasid}` : null,
    filter.code != null ? `code ${CODE_NAMES[filter.code] ?? filter.code}` : null,
    filter.range ? `last-page requests ${fmtNs(Number(filter.range.from_ns))} – ${fmtNs(Number(filter.range.to_ns))} after trace start` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div className="grid">
      <ParamNotice problems={latencyFilterProblems(sp)} />
      <Card title="Filters" span={12} subtitle={scope ? `Showing ${scope}.` : 'All answered groups.'}>
        <Suspense fallback={<ChartSkeleton height={52} />}>
          <FilterBar traceId={traceId} filter={filter} />
        </Suspense>
      </Card>
      <Card title="Latency percentiles" span={12} testId="card-figures">
        <Suspense key={k} fallback={<FiguresSkeleton count={7} />}>
          <FiguresCard traceId={traceId} filter={filter} />
        </Suspense>
      </Card>
      <Card title="Histogram" span={6} subtitle="Answered groups per latency bucket, 10 buckets per decade.">
        <Suspense key={k} fallback={<ChartSkeleton />}>
          <HistogramCard traceId={traceId} filter={filter} />
        </Suspense>
      </Card>
      <Card title="Cumulative distribution" span={6} subtitle="Share of answered groups at or below each latency.">
        <Suspense key={k} fallback={<ChartSkeleton />}>
          <CdfCard traceId={traceId} filter={filter} />
        </Suspense>
      </Card>
      <Card
        title="Latency over time"
        span={12}
        subtitle="Groups bucketed by their last-page request time, in the same buckets as the Overview and the report (at most 1 000, aggregated in the database). Wheel over the chart to zoom, drag to select a range (or pan), or use the buttons below it."
      >
        <Suspense key={k} fallback={<ChartSkeleton />}>
          <OverTimeCard traceId={traceId} filter={filter} />
        </Suspense>
      </Card>
    </div>
  );
}
