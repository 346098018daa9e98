// Compare two traces (?a=&b=) or two saved replay runs (?runA=&runB=) side by side: latency
// CDFs and histograms on shared axes, a percentile table with absolute and relative deltas
// (B − A, and (B − A) / A), and the device and PASID breakdown deltas. The selection lives in
// the URL (a GET form), so a copied link reproduces the view.

import Link from 'next/link';
import { NotFoundError } from '@/lib/core/errors.ts';
import { runColor } from '@/lib/core/series-colors.ts';
import { getReplayRun } from '@/lib/queries/replay-runs.ts';
import { listSavedViews } from '@/lib/db/saved-views.ts';
import { breakdownDelta, sharedHistogram, type BreakdownDelta, type LatencySource, type SharedHistogram } from '@/lib/queries/charts/compare.ts';
import { latencyCdf, replayRunCdf, type CdfPoint } from '@/lib/queries/charts/latency-cdf.ts';
import { replayRuns } from '@/lib/queries/charts/replay-comparison.ts';
import { traceStats } from '@/lib/queries/trace-stats.ts';
import { listTraces, resolveTrace } from '@/lib/queries/traces.ts';
import { Card } from '../_components/card.tsx';
import { CdfChart } from '../_components/charts/cdf-chart.tsx';
import { PALETTE } from '../_components/charts/common.tsx';
import { Empty } from '../_components/empty.tsx';
import { CompareHistogramChart } from '../_components/postmortem/compare-histogram-chart.tsx';
import { CopyLinkButton } from '../_components/postmortem/copy-link-button.tsx';
import { SaveViewButton } from '../_components/postmortem/save-view.tsx';
import { SavedViewsList } from '../_components/postmortem/saved-views-list.tsx';
import { withDb } from '../_data/db.ts';
import { fmtCount, fmtNs } from '../_lib/format.ts';
import { withoutControls } from '@/lib/core/errors.ts';
import { ParamNotice } from '../_components/param-notice.tsx';
import { parseId } from '@/lib/core/ids.ts';
import { idParamProblems } from '../_data/latency-filter.ts';

export const dynamic = 'force-dynamic';

type Pcts = { p50: number | null; p90: number | null; p99: number | null; p999?: number | null; max: number | null; mean?: number | null };

interface SideData {
  source: LatencySource;
  label: string;
  href: string;
  answered: number;
  pcts: Pcts;
  cdf: CdfPoint[];
}

/** What is drawn from both sides at once: shared histogram buckets and per-key deltas. */
interface Joint {
  histogram: SharedHistogram;
  devices: BreakdownDelta;
  pasids: BreakdownDelta;
}

/** Keys listed per breakdown table: the ones whose p99 moved most. */
const TOP_KEYS = 20;

function idParam(v: string | string[] | undefined): number | null {
  return typeof v === 'string' ? parseId(v) : null;
}

/**
 * Two replay runs are drawn in their own colours (lib/core/series-colors.ts, as on the replay page
 * and the report), unless those coincide; traces, or runs sharing a colour, get the palette's first two.
 */
function sideColors(a: SideData, b: SideData): [string, string] {
  if (a.source.kind === 'run' && b.source.kind === 'run') {
    const pair: [string, string] = [runColor(a.source.run_id), runColor(b.source.run_id)];
    if (pair[0] !== pair[1]) return pair;
  }
  return [PALETTE[0]!, PALETTE[1]!];
}

async function traceSide(traceId: number): Promise<SideData> {
  return withDb(async (db) => {
    // An id with no trace is the page's "not found" note, not a failed render.
    await resolveTrace(db, traceId);
    const s = await traceStats(db, traceId);
    return {
      source: { kind: 'trace', trace_id: traceId },
      label: `#${s.trace_id} ${withoutControls(s.name)}`,
      href: `/traces/${s.trace_id}`,
      answered: s.groups.answered,
      pcts: s.latency_ns,
      cdf: await latencyCdf(db, traceId, {}, 400),
    };
  });
}

async function runSide(runId: number): Promise<SideData> {
  return withDb(async (db) => {
    const r = await getReplayRun(db, runId);
    return {
      source: { kind: 'run', run_id: runId },
      label: `run ${r.run_id} (${r.model}, ${r.preset}) of trace #${r.trace_id}`,
      href: `/traces/${r.trace_id}/replay`,
      answered: r.summary.answered,
      pcts: r.summary.latency_ns,
      cdf: await replayRunCdf(db, runId, 400),
    };
  });
}

function jointData(a: LatencySource, b: LatencySource): Promise<Joint> {
  return withDb(async (db) => ({
    histogram: await sharedHistogram(db, a, b, 10),
    devices: await breakdownDelta(db, a, b, 'device', TOP_KEYS),
    pasids: await breakdownDelta(db, a, b, 'pasid', TOP_KEYS),
  }));
}

function delta(a: number | null | undefined, b: number | null | undefined): { abs: string; rel: string; tone?: 'bad' | 'good' } {
  if (a === null || a === undefined || b === null || b === undefined) return { abs: '—', rel: '—' };
  const d = b - a;
  const abs = `${d > 0 ? '+' : d < 0 ? '−' : '±'}${fmtNs(Math.abs(d))}`;
  const rel = a === 0 ? '—' : `${d >= 0 ? '+' : '−'}${Math.abs((d / a) * 100).toFixed(1)}%`;
  return { abs, rel, tone: d > 0 ? 'bad' : d < 0 ? 'good' : undefined };
}

const PCT_ROWS = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
  ['mean', 'mean'],
] as const;

export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const a = idParam(q.a);
  const b = idParam(q.b);
  const runA = idParam(q.runA);
  const runB = idParam(q.runB);
  const problems = idParamProblems(q, ['a', 'b', 'runA', 'runB']);
  const mode: 'traces' | 'runs' = runA !== null || runB !== null ? 'runs' : 'traces';
  const { traces, runs, views } = await withDb(async (db) => {
    const traces = await listTraces(db);
    const runs = [];
    for (const t of traces) for (const r of await replayRuns(db, t.trace_id)) runs.push({ ...r, trace_id: t.trace_id, trace_name: t.name });
    return { traces, runs, views: await listSavedViews(db, null) };
  });

  let sides: [SideData, SideData] | null = null;
  let joint: Joint | null = null;
  let problem: string | null = null;
  try {
    if (mode === 'traces' && a !== null && b !== null) sides = [await traceSide(a), await traceSide(b)];
    if (mode === 'runs' && runA !== null && runB !== null) sides = [await runSide(runA), await runSide(runB)];
    if (sides) joint = await jointData(sides[0].source, sides[1].source);
  } catch (e) {
    if (e instanceof NotFoundError) problem = e.message;
    else throw e;
  }

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Compare</h1>
          <p className="muted">Two traces, or two saved replay runs, on shared axes. Deltas are B − A.</p>
        </div>
        <div className="page-actions">
          <CopyLinkButton />
          <SaveViewButton />
        </div>
      </div>
      <div className="grid">
        <ParamNotice problems={problems} />
        <Card title="Traces" span={6}>
          <form className="filters" method="get" action="/compare" data-testid="compare-traces-form">
            {(['a', 'b'] as const).map((name) => (
              <div className="field" key={name}>
                <label htmlFor={`c-${name}`}>{name.toUpperCase()}</label>
                <select id={`c-${name}`} name={name} defaultValue={mode === 'traces' ? String((name === 'a' ? a : b) ?? '') : ''}>
                  <option value="">choose a trace</option>
                  {traces.map((t) => (
                    <option key={t.trace_id} value={t.trace_id}>
                      #{t.trace_id} {withoutControls(t.name)}
                    </option>
                  ))}
                </select>
              </div>
            ))}
            <button type="submit">Compare traces</button>
          </form>
        </Card>
        <Card title="Replay runs" span={6}>
          {runs.length === 0 ? (
            <Empty>No saved replay runs yet.</Empty>
          ) : (
            <form className="filters" method="get" action="/compare" data-testid="compare-runs-form">
              {(['runA', 'runB'] as const).map((name) => (
                <div className="field" key={name}>
                  <label htmlFor={`c-${name}`}>{name === 'runA' ? 'A' : 'B'}</label>
                  <select id={`c-${name}`} name={name} defaultValue={String((name === 'runA' ? runA : runB) ?? '')}>
                    <option value="">choose a run</option>
                    {runs.map((r) => (
                      <option key={r.run_id} value={r.run_id}>
                        run {r.run_id}: {r.model} {r.preset} (trace #{r.trace_id})
                      </option>
                    ))}
                  </select>
                </div>
              ))}
              <button type="submit">Compare runs</button>
            </form>
          )}
        </Card>
        {problem ? (
          <Card title="Not found" span={12}>
            <p role="alert">{problem}</p>
          </Card>
        ) : null}
        {sides && joint ? (
          <Comparison a={sides[0]} b={sides[1]} joint={joint} />
        ) : problem ? null : (
          <Card title="Nothing selected" span={12}>
            <Empty>Choose two traces or two runs above.</Empty>
          </Card>
        )}
        <Card title="Saved comparisons" span={12} subtitle="Compare views saved by name." testId="card-saved-views">
          <SavedViewsList views={views} />
        </Card>
      </div>
    </>
  );
}

function Comparison({ a, b, joint }: { a: SideData; b: SideData; joint: Joint }) {
  const colors = sideColors(a, b);
  return (
    <>
      <Card title="Percentiles" span={6} subtitle="Nearest rank over answered groups. Red: B slower.">
        <table data-testid="compare-percentiles">
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col" className="num">
                <Link href={a.href}>A</Link>
              </th>
              <th scope="col" className="num">
                <Link href={b.href}>B</Link>
              </th>
              <th scope="col" className="num">
                Δ
              </th>
              <th scope="col" className="num">
                Δ %
              </th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>answered groups</td>
              <td className="num">{fmtCount(a.answered)}</td>
              <td className="num">{fmtCount(b.answered)}</td>
              <td className="num">
                {b.answered - a.answered >= 0 ? '+' : '−'}
                {fmtCount(Math.abs(b.answered - a.answered))}
              </td>
              <td className="num">{a.answered ? `${(((b.answered - a.answered) / a.answered) * 100).toFixed(1)}%` : '—'}</td>
            </tr>
            {PCT_ROWS.filter(([k]) => a.pcts[k] !== undefined || b.pcts[k] !== undefined).map(([k, label]) => {
              const d = delta(a.pcts[k], b.pcts[k]);
              return (
                <tr key={k} data-testid={`compare-row-${k}`} data-a={a.pcts[k] ?? ''} data-b={b.pcts[k] ?? ''}>
                  <td>{label}</td>
                  <td className="num">{fmtNs(a.pcts[k])}</td>
                  <td className="num">{fmtNs(b.pcts[k])}</td>
                  <td className="num" style={d.tone ? { color: d.tone === 'bad' ? 'var(--bad)' : 'var(--ok, #2f9e44)' } : undefined}>
                    {d.abs}
                  </td>
                  <td className="num">{d.rel}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="muted" style={{ fontSize: '0.85rem' }}>
          A: {a.label}
          <br />
          B: {b.label}
        </p>
      </Card>
      <Card title="Latency CDF" span={6} subtitle="Both on one log axis.">
        {a.cdf.length + b.cdf.length === 0 ? (
          <Empty>No answered groups on either side.</Empty>
        ) : (
          <CdfChart
            testId="compare-cdf"
            series={[
              { name: `A ${a.label}`, points: a.cdf, color: colors[0] },
              { name: `B ${b.label}`, points: b.cdf, color: colors[1], dashed: true },
            ]}
          />
        )}
      </Card>
      <Card
        title="Latency histogram"
        span={12}
        subtitle="Share of each side's answered groups per bucket; the buckets are counted for both sides in one query."
      >
        {joint.histogram.total_a + joint.histogram.total_b === 0 ? (
          <Empty>No answered groups on either side.</Empty>
        ) : (
          <CompareHistogramChart histogram={joint.histogram} names={['A', 'B']} colors={colors} />
        )}
      </Card>
      <BreakdownTable title="Devices" keyLabel="device" delta={joint.devices} testId="compare-devices" />
      <BreakdownTable title="PASIDs" keyLabel="PASID" delta={joint.pasids} testId="compare-pasids" />
    </>
  );
}

function BreakdownTable({ title, keyLabel, delta: d, testId }: { title: string; keyLabel: string; delta: BreakdownDelta; testId: string }) {
  return (
    <Card
      title={`${title}: A vs B`}
      span={12}
      subtitle={`Completed groups and nearest-rank latency per ${keyLabel}, the ${keyLabel === 'device' ? 'devices' : 'PASIDs'} whose p99 moved most first${d.omitted ? ` (${fmtCount(d.omitted)} more not shown)` : ''}; a dash marks a side with no answered group there.`}
    >
      {d.rows.length === 0 ? (
        <Empty>No groups on either side.</Empty>
      ) : (
        <div className="table-wrap table-scroll">
          <table data-testid={testId}>
            <thead>
              <tr>
                <th scope="col">{keyLabel}</th>
                <th scope="col" className="num">
                  groups A
                </th>
                <th scope="col" className="num">
                  groups B
                </th>
                <th scope="col" className="num">
                  p50 A
                </th>
                <th scope="col" className="num">
                  p50 B
                </th>
                <th scope="col" className="num">
                  Δ p50
                </th>
                <th scope="col" className="num">
                  p99 A
                </th>
                <th scope="col" className="num">
                  p99 B
                </th>
                <th scope="col" className="num">
                  Δ p99
                </th>
                <th scope="col" className="num">
                  Δ p99 %
                </th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((r) => {
                const d50 = delta(r.p50_a, r.p50_b);
                const d99 = delta(r.p99_a, r.p99_b);
                const key = r.key === null ? 'none' : String(r.key);
                return (
                  <tr key={key} data-key={key} data-groups-a={r.groups_a} data-groups-b={r.groups_b} data-p99-a={r.p99_a ?? ''} data-p99-b={r.p99_b ?? ''}>
                    <td className="mono">{key}</td>
                    <td className="num">{fmtCount(r.groups_a)}</td>
                    <td className="num">{fmtCount(r.groups_b)}</td>
                    <td className="num">{fmtNs(r.p50_a)}</td>
                    <td className="num">{fmtNs(r.p50_b)}</td>
                    <td className="num">{d50.abs}</td>
                    <td className="num">{fmtNs(r.p99_a)}</td>
                    <td className="num">{fmtNs(r.p99_b)}</td>
                    <td className="num" style={d99.tone ? { color: d99.tone === 'bad' ? 'var(--bad)' : 'var(--ok, #2f9e44)' } : undefined}>
                      {d99.abs}
                    </td>
                    <td className="num">{d99.rel}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
