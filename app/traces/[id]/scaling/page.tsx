import Link from 'next/link';
import { Suspense } from 'react';
import { sweepComputedAt } from '@/lib/queries/sweep-cache.ts';
import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import type { Allocation } from '@/lib/replay/sweep.ts';
import { Card } from '../../../_components/card.tsx';
import { Empty } from '../../../_components/empty.tsx';
import { RunSweepButton } from '../../../_components/scaling/run-sweep-button.tsx';
import { ChartSkeleton } from '../../../_components/skeleton.tsx';
import { traceIdFromParam, withDb } from '../../../_data/db.ts';
import { choiceProblem, type SearchParams } from '../../../_data/latency-filter.ts';
import { ParamNotice } from '../../../_components/param-notice.tsx';
import { ScalingChartCard, ScalingRankingCard } from '../_components/scaling-cards.tsx';

export const dynamic = 'force-dynamic';

const ALLOCATIONS: { value: Allocation; label: string; hint: string }[] = [
  { value: 'dense', label: 'dense', hint: 'PASIDs 1…N, lowest first, as the kernel IDA hands them out' },
  { value: 'sparse', label: 'sparse', hint: 'N random 20-bit PASIDs: taller xarray, more node visits' },
];

export default async function ScalingPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const traceId = traceIdFromParam((await params).id);
  const sp = await searchParams;
  const allocation: Allocation = sp.alloc === 'sparse' ? 'sparse' : 'dense';
  const problems = choiceProblem(sp, 'alloc', ['dense', 'sparse'], 'dense');
  const [header, computedAt] = await withDb(async (db) => [await traceHeader(db, traceId), await sweepComputedAt(db, traceId)] as const);

  if (header.page_requests === 0) {
    return (
      <div className="grid">
        <Card title="PASID scaling" span={12}>
          <Empty>This trace has no page requests, so there is no traffic to sweep over PASIDs.</Empty>
        </Card>
      </div>
    );
  }

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
        <Card title="PASID scaling" span={12} subtitle="What the device waits, drops and drain load vs the number of live PASIDs.">
          <p>
            The sweep replays this trace&apos;s traffic remapped onto 1 … 2<sup>20</sup> − 1 live PASIDs, dense and sparse, through
            each model and lookup structure. It has not been run for this trace yet; it takes from a few seconds (small traces) to
            a minute or more (100 000+ groups), and the result is saved.
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
      <Card title="PASID scaling" span={12} subtitle={`Sweep saved ${computedAt} UTC. ${hint}.`} actions={toggle}>
        <p className="muted" style={{ margin: 0, fontSize: '0.85rem' }}>
          This trace&apos;s traffic remapped onto N live PASIDs, replayed through each model and lookup structure. Every structure at a
          point replays the same groups at the same seeds (a list&apos;s walk is counted from each entry&apos;s position, not walked, so
          the 1 M-entry list needs no shorter sample). Lines are the mean over seeds, the band on the headline the range one more seed
          lands in. Per-device dashed; list and hash are <b>hypothetical</b> (dotted): no kernel uses them for PASID → domain. The
          dotted vertical line marks this trace&apos;s own number of PASIDs.
        </p>
      </Card>
      <Card title="What the device waits" span={12} subtitle="p99 of request generated → response at the device: credit waits, PRQ, drain, lookups, service, response and QI.">
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
      <Card title="Latency from report (secondary)" span={4} subtitle="Response − last-page report, as a trace records it: misses drain-side lookups and drops.">
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
