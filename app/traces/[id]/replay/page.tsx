import { Suspense } from 'react';
import { parseIdList } from '@/lib/core/ids.ts';
import { PARAM_SPECS, PARAM_NAMES } from '@/lib/replay/params.ts';
import { KERNEL_ERAS, PRESETS } from '@/lib/replay/presets.ts';
import { MODEL_NAMES } from '@/lib/replay/types.ts';
import { replayRuns } from '@/lib/queries/charts/replay-comparison.ts';
import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import { Card } from '../../../_components/card.tsx';
import { Empty } from '../../../_components/empty.tsx';
import { ReplayForm, type ParamInfo, type PresetInfo } from '../../../_components/replay/replay-form.tsx';
import { ChartSkeleton, TableSkeleton } from '../../../_components/skeleton.tsx';
import { traceIdFromParam, withDb } from '../../../_data/db.ts';
import { idParamProblems, type SearchParams } from '../../../_data/latency-filter.ts';
import { ParamNotice } from '../../../_components/param-notice.tsx';
import { PercentileTableCard, ReplayCdfCard, SavedRunsCard, SensitivityCard, StageTimeCard, VerdictCard } from '../_components/replay-cards.tsx';

export const dynamic = 'force-dynamic';

const MAX_COMPARED = 6;

/** ?runs=3,5 → [3, 5]; ?runs=none → []; absent → null (the page then shows the latest run). */
function parseRuns(sp: SearchParams): number[] | null {
  const raw = Array.isArray(sp.runs) ? sp.runs[0] : sp.runs;
  if (raw === undefined) return null;
  const { ids } = parseIdList(raw);
  return [...new Set(ids)].slice(0, MAX_COMPARED);
}

const PRESET_INFO: PresetInfo[] = KERNEL_ERAS.map((era) => ({
  era,
  model: PRESETS[era].model,
  note: PRESETS[era].note,
  params: { ...PRESETS[era].params },
  provenance: { ...PRESETS[era].provenance },
}));

const PARAM_INFO: ParamInfo[] = PARAM_NAMES.map((name) => {
  const s = PARAM_SPECS[name];
  return s.type === 'enum'
    ? { name, type: 'enum', values: s.values, doc: s.doc, models: s.models }
    : { name, type: s.type, unit: s.unit, doc: s.doc, models: s.models };
});

export default async function ReplayPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const traceId = traceIdFromParam((await params).id);
  const sp = await searchParams;
  const requested = parseRuns(sp);
  const [header, runs] = await withDb(async (db) => [await traceHeader(db, traceId), await replayRuns(db, traceId)] as const);
  if (header.page_requests === 0) {
    return (
      <div className="grid">
        <Card title="Replay" span={12}>
          <Empty>This trace has no page requests, so there is nothing to replay (unrecoverable faults are never paired or replayed).</Empty>
        </Card>
      </div>
    );
  }
  const latest = runs.at(-1);
  const selected = requested ?? (latest ? [latest.run_id] : []);
  const k = selected.join(',');
  // Side by side while one run is compared; with more, the table needs the full width.
  const span = selected.length > 1 ? 12 : 6;
  // The verdict compares the first two compared runs; with fewer, the two latest runs.
  const verdictRuns = selected.length >= 2 ? selected : runs.slice(-2).map((r) => r.run_id);
  const focus = runs.find((r) => r.run_id === selected[0]) ?? latest;
  const sensitivityModel = focus?.model ?? 'domain-wide';
  const sensitivityPreset = focus?.preset ?? 'v6.9';
  return (
    <div className="grid">
      <ParamNotice problems={idParamProblems(sp, ['runs'], { list: true })} />
      <Card
        title="What would the other design or era change?"
        span={12}
        testId="verdict-card"
        subtitle="Run A against run B over their seeds: the first two compared runs, else the two latest."
      >
        <Suspense key={verdictRuns.join(',')} fallback={<TableSkeleton rows={4} />}>
          <VerdictCard traceId={traceId} selected={verdictRuns} />
        </Suspense>
      </Card>
      <Card title="Run a replay" span={12} subtitle="Replays the trace's page requests through a handling model (deterministic for a seed) and saves the run.">
        <ReplayForm traceId={traceId} models={MODEL_NAMES} presets={PRESET_INFO} specs={PARAM_INFO} selected={selected} />
      </Card>
      <Card
        title="Recorded vs replayed latency"
        span={span}
        subtitle="CDFs on a log axis; recorded solid, replayed dashed (its first seed), thin curves: the range one more seed lands in."
      >
        <Suspense key={k} fallback={<ChartSkeleton />}>
          <ReplayCdfCard traceId={traceId} selected={selected} />
        </Suspense>
      </Card>
      <Card title="Percentiles" span={span} subtitle="Replayed vs recorded, with the calibration error of each run.">
        <Suspense key={k} fallback={<TableSkeleton rows={8} />}>
          <PercentileTableCard traceId={traceId} selected={selected} />
        </Suspense>
      </Card>
      <Card
        title="Where the device waits"
        span={12}
        subtitle="Mean time per answered group in each stage, request generated → response at the device (over the run's seeds)."
      >
        <Suspense key={k} fallback={<ChartSkeleton />}>
          <StageTimeCard traceId={traceId} selected={selected} />
        </Suspense>
      </Card>
      <Card
        title="Which parameter drives the answer?"
        span={12}
        subtitle="Sensitivity: each parameter halved and doubled; ⚠ marks a dominant parameter whose value is only an estimate."
      >
        <Suspense fallback={<ChartSkeleton />}>
          <SensitivityCard traceId={traceId} model={sensitivityModel} preset={sensitivityPreset} />
        </Suspense>
      </Card>
      <Card title="Saved runs" span={12} subtitle={`Newest first; pick up to ${MAX_COMPARED} to compare.`}>
        <Suspense key={k} fallback={<TableSkeleton />}>
          <SavedRunsCard traceId={traceId} selected={selected} />
        </Suspense>
      </Card>
    </div>
  );
}
