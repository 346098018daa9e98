import { Suspense } from 'react';
import { Card } from '../../_components/card.tsx';
import { ChartSkeleton, FiguresSkeleton, TableSkeleton } from '../../_components/skeleton.tsx';
import { traceIdFromParam } from '../../_data/db.ts';
import { DevicesCard, EventsOverTimeCard, PairingHealthCard, PasidsCard, SummaryFigures } from './_components/overview-cards.tsx';

export const dynamic = 'force-dynamic';

export default async function TraceOverviewPage({ params }: { params: Promise<{ id: string }> }) {
  const traceId = traceIdFromParam((await params).id);
  return (
    <div className="grid">
      <Card title="Summary" span={12} subtitle="Groups are keyed by IOMMU, device, PASID and PRG index; latency = response − last-page request.">
        <Suspense fallback={<FiguresSkeleton count={9} />}>
          <SummaryFigures traceId={traceId} />
        </Suspense>
      </Card>
      <Card title="Events over time" span={8} subtitle="Stacked by kind, counted per time bucket in the database.">
        <Suspense fallback={<ChartSkeleton />}>
          <EventsOverTimeCard traceId={traceId} />
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
    </div>
  );
}
