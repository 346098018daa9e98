// Compare two traces (?a=&b=) or two saved replay runs (?runA=&runB=) side by side: latency
// CDFs and histograms on shared axes, a percentile table with absolute and relative deltas
// (B − A, and (B − A) / A), and for traces the device and PASID breakdown deltas. The
// selection lives in the URL (a GET form), so a copied link reproduces the view.

import Link from 'next/link';
import { NotFoundError } from '@/lib/core/errors.ts';
import { getReplayRun } from '@/lib/db/replay-runs.ts';
import { deviceBreakdown, pasidBreakdown, type Breakdown } from '@/lib/queries/charts/breakdowns.ts';
import { latencyCdf, replayRunCdf, type CdfPoint } from '@/lib/queries/charts/latency-cdf.ts';
import { latencyHistogram, type LatencyHistogram } from '@/lib/queries/charts/latency-histogram.ts';
import { replayRuns } from '@/lib/queries/charts/replay-comparison.ts';
import { traceStats } from '@/lib/queries/trace-stats.ts';
import { listTraces } from '@/lib/queries/traces.ts';
import { Card } from '../_components/card.tsx';
import { CdfChart } from '../_components/charts/cdf-chart.tsx';
import { PALETTE } from '../_components/charts/common.tsx';
import { Empty } from '../_components/empty.tsx';
import { CompareHistogramChart } from '../_components/postmortem/compare-histogram-chart.tsx';
import { CopyLinkButton } from '../_components/postmortem/copy-link-button.tsx';
import { withDb } from '../_data/db.ts';
import { fmtCount, fmtNs } from '../_lib/format.ts';

export const dynamic = 'force-dynamic';

type Pcts = { p50: number | null; p90: number | null; p99: number | null; p999?: number | null; max: number | null; mean?: number | null };

interface SideData {
  label: string;
  href: string;
  answered: number;
  pcts: Pcts;
  cdf: CdfPoint[];
  histogram: LatencyHistogram | null;
  devices: Breakdown | null;
  pasids: Breakdown | null;
}

function idParam(v: string | string[] | undefined): number | null {
  return typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : null;
}

async function traceSide(traceId: number): Promise<SideData> {
  return withDb(async (db) => {
    const s = await traceStats(db, traceId);
    return {
      label: `#${s.trace_id} ${s.name}`,
      href: `/traces/${s.trace_id}`,
      answered: s.groups.answered,
      pcts: s.latency_ns,
      cdf: await latencyCdf(db, traceId, {}, 400),
      histogram: await latencyHistogram(db, traceId, {}, 10),
      devices: await deviceBreakdown(db, traceId, 50),
      pasids: await pasidBreakdown(db, traceId, 50),
    };
  });
}

async function runSide(runId: number): Promise<SideData> {
  return withDb(async (db) => {
    const r = await getReplayRun(db, runId);
    return {
      label: `run ${r.run_id} (${r.model}, ${r.preset}) of trace #${r.trace_id}`,
      href: `/traces/${r.trace_id}/replay`,
      answered: r.summary.answered,
      pcts: r.summary.latency_ns,
      cdf: await replayRunCdf(db, runId, 400),
      histogram: null,
      devices: null,
      pasids: null,
    };
  });
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
  const mode: 'traces' | 'runs' = runA !== null || runB !== null ? 'runs' : 'traces';
  const { traces, runs } = await withDb(async (db) => {
    const traces = await listTraces(db);
    const runs = [];
    for (const t of traces) for (const r of await replayRuns(db, t.trace_id)) runs.push({ ...r, trace_id: t.trace_id, trace_name: t.name });
    return { traces, runs };
  });

  let sides: [SideData, SideData] | null = null;
  let problem: string | null = null;
  try {
    if (mode === 'traces' && a !== null && b !== null) sides = [await traceSide(a), await traceSide(b)];
    if (mode === 'runs' && runA !== null && runB !== null) sides = [await runSide(runA), await runSide(runB)];
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
        <CopyLinkButton />
      </div>
      <div className="grid">
        <Card title="Traces" span={6}>
          <form className="filters" method="get" action="/compare" data-testid="compare-traces-form">
            <div className="field">
              <label htmlFor="c-a">A</label>
              <select id="c-a" name="a" defaultValue={mode === 'traces' && a !== null ? String(a) : ''}>
                <option value="">choose a trace</option>
                {traces.map((t) => (
                  <option key={t.trace_id} value={t.trace_id}>
                    #{t.trace_id} {t.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="c-b">B</label>
              <select id="c-b" name="b" defaultValue={mode === 'traces' && b !== null ? String(b) : ''}>
                <option value="">choose a trace</option>
                {traces.map((t) => (
                  <option key={t.trace_id} value={t.trace_id}>
                    #{t.trace_id} {t.name}
                  </option>
                ))}
              </select>
            </div>
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
        {sides ? <Comparison a={sides[0]} b={sides[1]} /> : problem ? null : (
          <Card title="Nothing selected" span={12}>
            <Empty>Choose two traces or two runs above.</Empty>
          </Card>
        )}
      </div>
    </>
  );
}

function Comparison({ a, b }: { a: SideData; b: SideData }) {
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
              <td className="num">{b.answered - a.answered >= 0 ? '+' : '−'}{fmtCount(Math.abs(b.answered - a.answered))}</td>
              <td className="num">{a.answered ? `${((b.answered - a.answered) / a.answered * 100).toFixed(1)}%` : '—'}</td>
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
              { name: `A ${a.label}`, points: a.cdf, color: PALETTE[0] },
              { name: `B ${b.label}`, points: b.cdf, color: PALETTE[1], dashed: true },
            ]}
          />
        )}
      </Card>
      {a.histogram && b.histogram ? (
        <Card title="Latency histogram" span={12} subtitle="Share of each side's answered groups per bucket, same buckets for both.">
          <CompareHistogramChart a={{ name: 'A', bins: a.histogram.bins, total: a.histogram.total }} b={{ name: 'B', bins: b.histogram.bins, total: b.histogram.total }} />
        </Card>
      ) : null}
      {a.devices && b.devices ? <BreakdownDelta title="Devices" keyLabel="device" a={a.devices} b={b.devices} testId="compare-devices" /> : null}
      {a.pasids && b.pasids ? <BreakdownDelta title="PASIDs" keyLabel="PASID" a={a.pasids} b={b.pasids} testId="compare-pasids" /> : null}
    </>
  );
}

function BreakdownDelta({ title, keyLabel, a, b, testId }: { title: string; keyLabel: string; a: Breakdown; b: Breakdown; testId: string }) {
  const keys = new Map<string, { key: string; a?: Breakdown['rows'][number]; b?: Breakdown['rows'][number] }>();
  for (const r of a.rows) keys.set(String(r.key), { key: r.key === null ? 'none' : String(r.key), a: r });
  for (const r of b.rows) {
    const k = keys.get(String(r.key)) ?? { key: r.key === null ? 'none' : String(r.key) };
    k.b = r;
    keys.set(String(r.key), k);
  }
  const rows = [...keys.values()];
  return (
    <Card title={`${title}: A vs B`} span={6} subtitle="Groups and p99 per key; keys present on one side only show — on the other.">
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
                p99 A
              </th>
              <th scope="col" className="num">
                p99 B
              </th>
              <th scope="col" className="num">
                Δ p99
              </th>
              <th scope="col" className="num">
                Δ %
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const d = delta(r.a?.p99_ns, r.b?.p99_ns);
              return (
                <tr key={r.key}>
                  <td className="mono">{r.key}</td>
                  <td className="num">{r.a ? fmtCount(r.a.groups) : '—'}</td>
                  <td className="num">{r.b ? fmtCount(r.b.groups) : '—'}</td>
                  <td className="num">{fmtNs(r.a?.p99_ns)}</td>
                  <td className="num">{fmtNs(r.b?.p99_ns)}</td>
                  <td className="num">{d.abs}</td>
                  <td className="num">{d.rel}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
