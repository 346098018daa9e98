import Link from 'next/link';
import { Suspense } from 'react';
import { Card } from '../../_components/card.tsx';
import { ChartSkeleton, FiguresSkeleton, TableSkeleton } from '../../_components/skeleton.tsx';
import { traceIdFromParam } from '../../_data/db.ts';
import { latencyFilterProblems, parseTimeRange, type SearchParams } from '../../_data/latency-filter.ts';
import { ParamNotice } from '../../_components/param-notice.tsx';
import { fmtNs } from '../../_lib/format.ts';
import { DevicesCard, EventsOverTimeCard, PairingHealthCard, PasidsCard, SavedViewsCard, SummaryFigures } from './_components/overview-cards.tsx';

export const dynamic = 'force-dynamic';

export default async function TraceOverviewPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const traceId = traceIdFromParam((await params).id);
  const sp = await searchParams;
  const range = parseTimeRange(sp);
  return (
    <div className="grid">
      <ParamNotice problems={latencyFilterProblems(sp)} />
      <Card title="Summary" span={12} subtitle="Groups are keyed by IOMMU, device, PASID and PRG index; latency = response − last-page request.">
        <Suspense fallback={<FiguresSkeleton count={9} />}>
          <SummaryFigures traceId={traceId} />
        </Suspense>
      </Card>
      <Card
        title="Events over time"
        span={8}
        subtitle={
          range ? (
            <>
              Zoomed to {fmtNs(Number(range.from_ns))} – {fmtNs(Number(range.to_ns))} after trace start.{' '}
              <Link href={`/traces/${traceId}`} data-testid="zoom-reset">
                Whole trace
              </Link>
            </>
          ) : (
            'Stacked by kind, counted per time bucket in the database. Wheel over the chart to zoom, drag to select a range (or pan), or use the buttons below it.'
          )
        }
      >
        <Suspense key={range ? `${range.from_ns}-${range.to_ns}` : 'all'} fallback={<ChartSkeleton />}>
          <EventsOverTimeCard traceId={traceId} range={range} />
        </Suspense>
      </Card>
      <Card title="Pairing health" span={4} subtitle="How requests and responses paired.">
        <Suspense fallback={<TableSkeleton rows={8} />}>
          <PairingHealthCard traceId={traceId} />
        </Suspense>
      </Card>
      <Card title="Devices" span={6} subtitle="Faults = page requests + unrecoverable faults; latency over answered groups.">
        <Suspense fallback={<TableSkeleton />}>
          <DevicesCard traceId={traceId} />
        </Suspense>
      </Card>
      <Card title="PASIDs" span={6} subtitle="Per process address space; click one to filter the latency page.">
        <Suspense fallback={<TableSkeleton />}>
          <PasidsCard traceId={traceId} />
        </Suspense>
      </Card>
      <Card
        title="Saved views"
        span={12}
        subtitle="Views of this trace saved by name from any of its pages; each opens with its filters, time range and selections."
        testId="card-saved-views"
      >
        <Suspense fallback={<TableSkeleton rows={3} />}>
          <SavedViewsCard traceId={traceId} />
        </Suspense>
      </Card>
    </div>
  );
}
