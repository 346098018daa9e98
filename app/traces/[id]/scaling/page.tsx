import Link from 'next/link';
import { Suspense, type ReactNode } from 'react';
import { sweepComputedAt } from '@/lib/queries/sweep-cache.ts';
import { axisSweepComputedAt } from '@/lib/queries/charts/scaling-axes.ts';
import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import type { Allocation } from '@/lib/replay/sweep.ts';
import { AXIS_METHOD, SWEEP_AXES, type DeviceAxis, type SweepAxis } from '@/lib/replay/sweep-axes.ts';
import { Card } from '../../../_components/card.tsx';
import { Empty } from '../../../_components/empty.tsx';
import { RunSweepButton } from '../../../_components/scaling/run-sweep-button.tsx';
import { ChartSkeleton } from '../../../_components/skeleton.tsx';
import { traceIdFromParam, withDb } from '../../../_data/db.ts';
import { choiceProblem, type SearchParams } from '../../../_data/latency-filter.ts';
import { ParamNotice } from '../../../_components/param-notice.tsx';
import { ScalingChartCard, ScalingRankingCard } from '../_components/scaling-cards.tsx';
import { AxisChartCard, AxisPointsTable } from '../_components/scaling-axis-cards.tsx';

export const dynamic = 'force-dynamic';

const ALLOCATIONS: { value: Allocation; label: string; hint: string }[] = [
  { value: 'dense', label: 'dense', hint: 'PASIDs 1…N, lowest first, as the kernel IDA hands them out' },
  { value: 'sparse', label: 'sparse', hint: 'N random 20-bit PASIDs: taller xarray, more node visits' },
];

const PASID_AXIS_TITLE = 'Scaling with live PASIDs';

const AXES: { value: SweepAxis; label: string; title: string }[] = [
  { value: 'pasids', label: 'live PASIDs', title: PASID_AXIS_TITLE },
  { value: 'outstanding', label: 'groups in flight per device', title: 'Scaling with groups in flight per device' },
  { value: 'sharing', label: 'devices per PASID', title: 'Scaling with devices sharing one PASID' },
];

export default async function ScalingPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const traceId = traceIdFromParam((await params).id);
  const sp = await searchParams;
  const axis: SweepAxis = (SWEEP_AXES as readonly unknown[]).includes(sp.axis) ? (sp.axis as SweepAxis) : 'pasids';
  const allocation: Allocation = sp.alloc === 'sparse' ? 'sparse' : 'dense';
  const problems = [...choiceProblem(sp, 'axis', SWEEP_AXES, 'pasids'), ...choiceProblem(sp, 'alloc', ['dense', 'sparse'], 'dense')];
  const [header, computedAt] = await withDb(
    async (db) =>
      [await traceHeader(db, traceId), axis === 'pasids' ? await sweepComputedAt(db, traceId) : await axisSweepComputedAt(db, traceId, axis)] as const,
  );

  if (header.page_requests === 0) {
    return (
      <div className="grid">
        <Card title="Scaling" span={12}>
          <Empty>This trace has no page requests, so there is no traffic to sweep.</Empty>
        </Card>
      </div>
    );
  }

  // In the card's body, not its header actions, so the three tabs wrap on a narrow screen.
  const axisCard = (
    <Card title="Scaling axis" span={12} subtitle="What the per-device and lookup costs grow with: each axis replays the same group sample at the same seeds.">
      <nav className="toggle" aria-label="Scaling axis" data-testid="scaling-axes" style={{ flexWrap: 'wrap' }}>
        {AXES.map((a) => (
          <Link
            key={a.value}
            href={`/traces/${traceId}/scaling${a.value === 'pasids' ? '' : `?axis=${a.value}`}`}
            aria-current={a.value === axis ? 'true' : undefined}
          >
            {a.label}
          </Link>
        ))}
      </nav>
    </Card>
  );
  if (axis !== 'pasids') return <DeviceAxisView traceId={traceId} axis={axis} computedAt={computedAt} problems={problems} axisCard={axisCard} />;

  const toggle = (
    <div className="toggle" role="group" aria-label="PASID allocation">
      {ALLOCATIONS.map((a) => (
        <Link key={a.value} href={`/traces/${traceId}/scaling?alloc=${a.value}`} aria-current={a.value === allocation ? 'true' : undefined} title={a.hint}>
          {a.label}
        </Link>
      ))}
    </div>
  );

  if (computedAt === null) {
    return (
      <div className="grid">
        <ParamNotice problems={problems} />
        {axisCard}
        <Card title={PASID_AXIS_TITLE} span={12} subtitle="What the device waits, drops and drain load vs the number of live PASIDs.">
          <p>
            The sweep replays this trace&apos;s traffic remapped onto 1 … 2<sup>20</sup> − 1 live PASIDs, dense and sparse, through each model and lookup
            structure. It has not been run for this trace yet; it takes from a few seconds (small traces) to a minute or more (100 000+ groups), and the result
            is saved.
          </p>
          <RunSweepButton traceId={traceId} />
        </Card>
      </div>
    );
  }

  const hint = ALLOCATIONS.find((a) => a.value === allocation)!.hint;
  return (
    <div className="grid">
      <ParamNotice problems={problems} />
      {axisCard}
      <Card title={PASID_AXIS_TITLE} span={12} subtitle={`Sweep saved ${computedAt} UTC. ${hint}.`} actions={toggle}>
        <p className="muted" style={{ margin: 0, fontSize: '0.85rem' }}>
          This trace&apos;s traffic remapped onto N live PASIDs, replayed through each model and lookup structure. Every structure at a point replays the same
          groups at the same seeds (a list&apos;s walk is counted from each entry&apos;s position, not walked, so the 1 M-entry list needs no shorter sample).
          Lines are the mean over seeds, the band on the headline the range one more seed lands in. Per-device dashed; list and hash are <b>hypothetical</b>{' '}
          (dotted): no kernel uses them for PASID → domain. The dotted vertical line marks this trace&apos;s own number of PASIDs.
        </p>
      </Card>
      <Card
        title="What the device waits"
        span={12}
        subtitle="p99 of request generated → response at the device: credit waits, PRQ, drain, lookups, service, response and QI."
      >
        <Suspense key={allocation} fallback={<ChartSkeleton height={360} />}>
          <ScalingChartCard traceId={traceId} allocation={allocation} metric="device_p99_ns" />
        </Suspense>
        <Suspense key={`${allocation}-rank`} fallback={<ChartSkeleton height={120} />}>
          <ScalingRankingCard traceId={traceId} allocation={allocation} />
        </Suspense>
      </Card>
      <Card title="Requests dropped" span={6} subtitle="PRQ overflow drops (retried whole groups count again), mean over seeds.">
        <Suspense key={allocation} fallback={<ChartSkeleton height={360} />}>
          <ScalingChartCard traceId={traceId} allocation={allocation} metric="drops" />
        </Suspense>
      </Card>
      <Card title="Drain thread awake" span={6} subtitle="Busiest IOMMU's drain thread: share of the replay it was running. Near 100 % it paces the devices.">
        <Suspense key={allocation} fallback={<ChartSkeleton height={360} />}>
          <ScalingChartCard traceId={traceId} allocation={allocation} metric="drain_utilisation" />
        </Suspense>
      </Card>
      <Card
        title="Latency from report (secondary)"
        span={4}
        subtitle="Response − last-page report, as a trace records it: misses drain-side lookups and drops."
      >
        <Suspense key={allocation} fallback={<ChartSkeleton height={360} />}>
          <ScalingChartCard traceId={traceId} allocation={allocation} metric="p99_ns" />
        </Suspense>
      </Card>
      <Card title="Lookup visits" span={4} subtitle="Nodes or entries visited per group, all lookups.">
        <Suspense key={allocation} fallback={<ChartSkeleton height={360} />}>
          <ScalingChartCard traceId={traceId} allocation={allocation} metric="visits_mean" />
        </Suspense>
      </Card>
      <Card title="Lookup cost" span={4} subtitle="Visits × per-visit cost, per group.">
        <Suspense key={allocation} fallback={<ChartSkeleton height={360} />}>
          <ScalingChartCard traceId={traceId} allocation={allocation} metric="ns_mean" />
        </Suspense>
      </Card>
    </div>
  );
}

/** The outstanding-groups or devices-per-PASID tab: the run button until the sweep is saved, then its charts. */
function DeviceAxisView({
  traceId,
  axis,
  computedAt,
  problems,
  axisCard,
}: {
  traceId: number;
  axis: DeviceAxis;
  computedAt: string | null;
  problems: string[];
  axisCard: ReactNode;
}) {
  const title = AXES.find((a) => a.value === axis)!.title;
  const what = axis === 'outstanding' ? 'groups in flight per device' : 'devices sharing one PASID';
  if (computedAt === null) {
    return (
      <div className="grid">
        <ParamNotice problems={problems} />
        {axisCard}
        <Card title={title} span={12} subtitle={`What the device waits, drops and drain load vs ${what}.`}>
          <p>{AXIS_METHOD[axis]}</p>
          <p className="muted">It has not been run for this trace yet; it takes about as long as the PASID sweep, and the result is saved.</p>
          <RunSweepButton traceId={traceId} axis={axis} label={`Run the ${what} sweep`} />
        </Card>
      </div>
    );
  }
  return (
    <div className="grid">
      <ParamNotice problems={problems} />
      {axisCard}
      <Card title={title} span={12} subtitle={`Sweep saved ${computedAt} UTC.`}>
        <p className="muted" style={{ margin: 0, fontSize: '0.85rem' }} data-testid="axis-method">
          {AXIS_METHOD[axis]} Lines are the mean over seeds, bands the range one more seed lands in. Per-device dashed; list and hash are <b>hypothetical</b>{' '}
          (dotted). The dotted vertical line marks this trace as recorded
          {axis === 'outstanding' ? ' (its groups in flight per device, first request → response, from the recording)' : ' (its devices per PASID)'}.
        </p>
      </Card>
      <Card title="What the device waits, p99" span={6} subtitle="Request generated → response at the device, p99.">
        <Suspense key={`${axis}-p99`} fallback={<ChartSkeleton height={360} />}>
          <AxisChartCard traceId={traceId} axis={axis} metric="device_p99_ns" />
        </Suspense>
      </Card>
      <Card title="What the device waits, p50" span={6} subtitle="Request generated → response at the device, median.">
        <Suspense key={`${axis}-p50`} fallback={<ChartSkeleton height={360} />}>
          <AxisChartCard traceId={traceId} axis={axis} metric="device_p50_ns" />
        </Suspense>
      </Card>
      <Card title="Requests dropped" span={6} subtitle="PRQ overflow drops (retried whole groups count again), mean over seeds.">
        <Suspense key={`${axis}-drops`} fallback={<ChartSkeleton height={360} />}>
          <AxisChartCard traceId={traceId} axis={axis} metric="drops" />
        </Suspense>
      </Card>
      <Card title="Drain thread awake" span={6} subtitle="Busiest IOMMU's drain thread: share of the replay it was running.">
        <Suspense key={`${axis}-drain`} fallback={<ChartSkeleton height={360} />}>
          <AxisChartCard traceId={traceId} axis={axis} metric="drain_utilisation" />
        </Suspense>
      </Card>
      <Card title="Points" span={12} subtitle="How each point was made and what its replay measured.">
        <Suspense key={`${axis}-table`} fallback={<ChartSkeleton height={120} />}>
          <AxisPointsTable traceId={traceId} axis={axis} />
        </Suspense>
      </Card>
    </div>
  );
}
