// The replay page's cards: the what-if verdict between the first two compared runs, recorded
// vs replayed CDFs, the percentile table (mean over seeds ± where one more seed lands) with
// deltas and calibration error, per-stage time per run, and the saved runs with links that add or drop a run from the
// comparison (the selection lives in the URL: ?runs=3,5).

import Link from 'next/link';
import { latencyQuantiles } from '@/lib/queries/charts/latency-quantiles.ts';
import { replayComparison, replayRuns, runsWhatif, type RunRow } from '@/lib/queries/charts/replay-comparison.ts';
import { runFigure } from '@/lib/queries/charts/run-figure.ts';
import type { Interval } from '@/lib/replay/intervals.ts';
import { SVM_PRQ_PERCENT } from '@/lib/replay/percentiles.ts';
import { PERCENTILES } from '@/lib/replay/seed-samples.ts';
import { STAGE_TIMES } from '@/lib/replay/types.ts';
import { latestSensitivity } from '@/lib/services/sensitivity.ts';
import { StageBarChart } from '../../../_components/charts/stage-bar-chart.tsx';
import { TornadoChart } from '../../../_components/charts/tornado-chart.tsx';
import { RunSensitivityButton } from '../../../_components/replay/run-sensitivity-button.tsx';
import { CdfChart } from '../../../_components/charts/cdf-chart.tsx';
import { RECORDED_COLOR, runColor } from '@/lib/core/series-colors.ts';
import { RunSwatch } from '../../../_components/charts/run-swatch.tsx';
import { Empty } from '../../../_components/empty.tsx';
import { withDb } from '../../../_data/db.ts';
import { NONE } from '@/lib/core/display.ts';
import { fmtCount, fmtNs, fmtRunNs, fmtSignedPercent } from '../../../_lib/format.ts';

export function runLabel(r: Pick<RunRow, 'run_id' | 'model' | 'preset'>): string {
  return `#${r.run_id} ${r.model} ${r.preset}`;
}

function runsHref(traceId: number, runs: number[]): string {
  return runs.length ? `/traces/${traceId}/replay?runs=${runs.join(',')}` : `/traces/${traceId}/replay?runs=none`;
}

export async function ReplayCdfCard({ traceId, selected }: { traceId: number; selected: number[] }) {
  const c = await withDb((db) => replayComparison(db, traceId, selected, 400));
  if (c.runs.length === 0) return <Empty>Run a replay or pick saved runs below to compare them with the recorded latency.</Empty>;
  const series = [
    { name: `recorded (${fmtCount(c.recorded.answered)} groups)`, points: c.recorded.cdf, color: RECORDED_COLOR },
    ...c.runs.map((r) => ({ name: runLabel(r.run), points: r.cdf, color: runColor(r.run.run_id), dashed: true, band: r.band })),
  ];
  return <CdfChart series={series} testId="chart-replay-cdf" />;
}

type Pct = 'p50' | 'p90' | 'p99' | 'max';

function delta(replayed: number | null, recorded: number | null): { text: string; cls: string } {
  if (replayed === null || recorded === null || recorded === 0) return { text: NONE, cls: '' };
  const d = (replayed - recorded) / recorded;
  return { text: fmtSignedPercent(d), cls: d > 0.005 ? 'delta-up' : d < -0.005 ? 'delta-down' : '' };
}

const fmtErr = fmtSignedPercent;

/** Mean ± half the prediction interval (the interval may be cut at 0 below: the larger half shown). */
function fmtNsInterval(iv: Interval): string {
  return `${fmtNs(Math.round(iv.value))} ± ${fmtNs(Math.round(Math.max(iv.hi - iv.value, iv.value - iv.lo)))}`;
}

function fmtErrInterval(iv: Interval): string {
  return `${fmtErr(iv.value)} ± ${(((iv.hi - iv.lo) / 2) * 100).toFixed(1)} %`;
}

function fmtErrCell(r: RunRow, p: 'p50' | 'p99'): string {
  const iv = r.intervals?.calibration_error?.[p];
  return iv ? fmtErrInterval(iv) : fmtErr(r.calibration?.[`error_${p}`]);
}

function fmtHoldoutCell(r: RunRow, p: 'p50' | 'p90' | 'p99'): string {
  const iv = r.intervals?.holdout_error?.[p];
  return iv ? fmtErrInterval(iv) : NONE;
}

function fmtNum(v: number | null, digits = 1): string {
  return v === null ? '—' : v.toFixed(digits);
}

export async function PercentileTableCard({ traceId, selected }: { traceId: number; selected: number[] }) {
  const [runs, recorded] = await withDb(async (db) => [await replayRuns(db, traceId), await latencyQuantiles(db, traceId)] as const);
  const byId = new Map(runs.map((r) => [r.run_id, r]));
  const shown = selected.map((id) => byId.get(id)).filter((r): r is RunRow => r !== undefined);
  if (shown.length === 0) return <Empty>No runs selected.</Empty>;
  const rows: { label: string; recorded: string; cells: (r: RunRow) => { text: string; cls?: string }[] }[] = (['p50', 'p90', 'p99', 'max'] as Pct[]).map(
    (p) => ({
      label: `latency ${p}`,
      recorded: fmtNs(recorded[p]),
      cells: (r) => [{ text: fmtRunNs(r, 'latency_ns', p) }, delta(runFigure(r, 'latency_ns', p).value, recorded[p])],
    }),
  );
  rows.push(
    { label: 'calibration error p50', recorded: '', cells: (r) => [{ text: fmtErrCell(r, 'p50') }, { text: '' }] },
    { label: 'calibration error p99', recorded: '', cells: (r) => [{ text: fmtErrCell(r, 'p99') }, { text: '' }] },
    ...(shown.some((r) => r.holdout)
      ? (['p50', 'p90', 'p99'] as const).map((p) => ({
          label: `held-out error ${p} (check part only)`,
          recorded: '',
          cells: (r: RunRow) => [{ text: fmtHoldoutCell(r, p) }, { text: r.holdout ? `rec. ${fmtNs(r.holdout.recorded[p])}` : '' }],
        }))
      : []),
    ...(['p50', 'p99'] as const).map((p) => ({
      label: `device wait ${p}`,
      recorded: '',
      cells: (r: RunRow) => [{ text: fmtRunNs(r, 'device_latency_ns', p) }, { text: '' }],
    })),
    {
      label: 'lookup visits mean / p99',
      recorded: '',
      cells: (r) => [{ text: `${fmtNum(r.lookup.visits_mean)} / ${fmtNum(r.lookup.visits_p99, 0)}` }, { text: '' }],
    },
    {
      label: 'lookup cost mean / p99',
      recorded: '',
      cells: (r) => [{ text: `${fmtNs(r.lookup.ns_mean === null ? null : Math.round(r.lookup.ns_mean))} / ${fmtNs(r.lookup.ns_p99)}` }, { text: '' }],
    },
    {
      label: `share 1–10 µs / 10–100 µs / 100 µs–1 ms (the real svm_prq: ${SVM_PRQ_PERCENT.join(' / ')} %)`,
      recorded: '',
      cells: (r) => [{ text: r.svm_prq_buckets ? `${r.svm_prq_buckets.map((v) => v.toFixed(1)).join(' / ')} %` : '—' }, { text: '' }],
    },
    { label: 'PRQ drops / lost groups', recorded: '', cells: (r) => [{ text: `${fmtCount(r.drops)} / ${fmtCount(r.lost_groups)}` }, { text: '' }] },
    {
      label: 'groups answered',
      recorded: fmtCount(recorded.count),
      cells: (r) => [{ text: `${fmtCount(r.answered)} of ${fmtCount(r.groups)}` }, { text: '' }],
    },
  );
  return (
    <div className="table-wrap">
      <CircularNotice runs={shown} />
      <HoldoutNotice runs={shown} />
      <table data-testid="replay-percentiles">
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col" className="num">
              recorded
            </th>
            {shown.map((r) => (
              <th key={r.run_id} scope="col" colSpan={2} className="num">
                {runLabel(r)}
                {r.overrides.length ? (
                  <div className="muted mono" style={{ fontWeight: 400 }}>
                    {r.overrides.join(' ')}
                  </div>
                ) : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row" style={{ fontWeight: 400, color: 'var(--text)' }}>
                {row.label}
              </th>
              <td className="num">{row.recorded}</td>
              {shown.flatMap((r) =>
                row.cells(r).map((c, i) => (
                  <td key={`${r.run_id}-${i}`} className={`num ${c.cls ?? ''}`}>
                    {c.text}
                  </td>
                )),
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted" style={{ fontSize: '0.85rem' }}>
        Replayed figures are the mean over the run&apos;s seeds ± half the 95 % range in which one more seed&apos;s value lands (lookups, drops, svm_prq shares:
        the first seed). Deltas and calibration errors are (replayed − recorded) / recorded. The svm_prq histogram (QEMU, Intel debugfs, report → response
        submission) is the one real distribution nobody here produced: comparable at low load. Latency as a trace shows it: response − last-page request; device
        wait adds PRQ queueing and retries.
        {truncatedTo(shown)
          ? ` This trace's timestamps are whole ${truncatedTo(shown)}: for the calibration errors, replayed times are truncated the same way.`
          : ''}
      </p>
    </div>
  );
}

/** The recorded timestamps' unit when calibration truncated replayed times to it (µs for ftrace text), else null. */
function truncatedTo(runs: RunRow[]): string | null {
  const ns = runs.find((r) => (r.calibration?.resolution_ns ?? 1) > 1)?.calibration?.resolution_ns;
  return ns === undefined ? null : ns === 1000 ? 'µs' : ns === 1_000_000 ? 'ms' : `${ns} ns`;
}

/** Runs whose calibration is circular, said plainly above the numbers. */
function CircularNotice({ runs }: { runs: RunRow[] }) {
  const note = runs.find((r) => r.calibration_note)?.calibration_note;
  return note ? (
    <p role="note" className="notice warn" data-testid="calibration-circular">
      Calibration: {note}.
    </p>
  ) : null;
}

/** Which groups a held-out run fitted its service times on and which it checked, in words. */
function HoldoutNotice({ runs }: { runs: RunRow[] }) {
  const held = runs.filter((r) => r.holdout);
  if (held.length === 0) return null;
  return (
    <div data-testid="calibration-holdout">
      {held.map((r) => {
        const h = r.holdout!;
        return (
          <p key={r.run_id} role="note" style={{ marginTop: 0 }} data-run-id={r.run_id} data-fit-groups={h.fit_groups} data-check-groups={h.check_groups}>
            <b>Held out, {runLabel(r)}:</b> service times (serviceDist=empirical) estimated on the {fmtCount(h.fit_groups)} answered groups whose last-page
            request came in the trace&apos;s first {fmtNs(h.split_ns)} (fit share {h.fraction}); replayed over the whole trace and compared on the other{' '}
            {fmtCount(h.check_groups)} only — recorded there p50 {fmtNs(h.recorded.p50)}, p90 {fmtNs(h.recorded.p90)}, p99 {fmtNs(h.recorded.p99)}. The
            calibration error rows compare every group, the fitted ones included; the held-out rows only the checked ones.
          </p>
        );
      })}
    </div>
  );
}

export async function SavedRunsCard({ traceId, selected }: { traceId: number; selected: number[] }) {
  const runs = await withDb((db) => replayRuns(db, traceId));
  if (runs.length === 0) return <Empty>No saved runs yet for this trace.</Empty>;
  return (
    <div className="table-wrap table-scroll">
      <table data-testid="replay-runs">
        <thead>
          <tr>
            <th scope="col">compare</th>
            <th scope="col">run</th>
            <th scope="col">model</th>
            <th scope="col">preset</th>
            <th scope="col" className="num">
              seed
            </th>
            <th scope="col">changed parameters</th>
            <th scope="col" className="num" title="mean over the run's seeds">
              p50
            </th>
            <th scope="col" className="num" title="mean over the run's seeds">
              p99
            </th>
            <th scope="col" className="num">
              calib. p50 / p99
            </th>
            <th scope="col" className="num">
              drops
            </th>
            <th scope="col" className="num">
              engine time
            </th>
            <th scope="col">saved (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {[...runs].reverse().map((r) => {
            const on = selected.includes(r.run_id);
            const next = on ? selected.filter((x) => x !== r.run_id) : [...selected, r.run_id];
            return (
              <tr key={r.run_id} data-run-id={r.run_id}>
                <td>
                  <Link
                    href={runsHref(traceId, next)}
                    aria-pressed={on}
                    aria-label={`${on ? 'Remove' : 'Add'} run ${r.run_id} ${on ? 'from' : 'to'} the comparison`}
                  >
                    {on ? '✓ shown' : 'show'}
                  </Link>
                </td>
                <td className="mono">
                  <RunSwatch runId={r.run_id} />#{r.run_id}
                </td>
                <td>{r.model}</td>
                <td>{r.preset}</td>
                <td className="num">{r.seed}</td>
                <td className="mono" style={{ maxWidth: 320 }}>
                  {r.overrides.length ? r.overrides.join(' ') : <span className="muted">none</span>}
                </td>
                <td className="num">{fmtNs(runFigure(r, 'latency_ns', 'p50').value)}</td>
                <td className="num">{fmtNs(runFigure(r, 'latency_ns', 'p99').value)}</td>
                <td className="num">
                  {fmtErr(r.intervals?.calibration_error?.p50?.value ?? r.calibration?.error_p50)} /{' '}
                  {fmtErr(r.intervals?.calibration_error?.p99?.value ?? r.calibration?.error_p99)}
                </td>
                <td className="num">{fmtCount(r.drops)}</td>
                <td className="num">{fmtNs(Math.round(r.seconds * 1e9))}</td>
                <td className="muted">{r.created_at}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function signedNs(ns: number): string {
  return `${ns >= 0 ? '+' : '−'}${fmtNs(Math.round(Math.abs(ns)))}`;
}

/** The answer first: what B would change against A for this trace, with its uncertainty. */
export async function VerdictCard({ traceId, selected }: { traceId: number; selected: number[] }) {
  const w = await withDb((db) => runsWhatif(db, traceId, selected));
  if (!w.ok) return <Empty>{w.reason}</Empty>;
  const r = w.result;
  return (
    <div data-testid="whatif">
      <p className={`verdict ${r.significant ? 'verdict-yes' : 'verdict-no'}`} data-testid="whatif-verdict">
        {r.verdict}
      </p>
      <div className="table-wrap">
        <table data-testid="whatif-table">
          <thead>
            <tr>
              <th scope="col">device waits</th>
              <th scope="col" className="num">
                A: #{r.a.run_id} {r.a.label}
              </th>
              <th scope="col" className="num">
                B: #{r.b.run_id} {r.b.label}
              </th>
              <th scope="col" className="num">
                B − A (95 % interval)
              </th>
              <th scope="col">beyond seed noise?</th>
            </tr>
          </thead>
          <tbody>
            {PERCENTILES.map((p) => {
              const d = r.difference.device_latency_ns[p];
              const a = r.a.device_latency_ns[p];
              const b = r.b.device_latency_ns[p];
              return (
                <tr key={p} data-percentile={p} data-diff={d?.value} data-lo={d?.lo} data-hi={d?.hi} data-significant={d ? String(d.significant) : ''}>
                  <th scope="row" style={{ fontWeight: 400 }}>
                    {p}
                  </th>
                  <td className="num">{a ? fmtNsInterval(a) : '—'}</td>
                  <td className="num">{b ? fmtNsInterval(b) : '—'}</td>
                  <td className="num">{d ? `${signedNs(d.value)} [${signedNs(d.lo)}, ${signedNs(d.hi)}]` : '—'}</td>
                  <td>{d ? (d.significant ? 'yes' : 'no — inside the noise') : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted" style={{ fontSize: '0.85rem' }}>
        A = run #{r.a.run_id}, B = run #{r.b.run_id} ({r.a.seeds.length} and {r.b.seeds.length} seeds). Each side: mean over its seeds ± where one more seed
        lands; the difference is Welch&apos;s 95 % interval of B − A — &ldquo;beyond seed noise&rdquo; when it excludes 0. The CLI gives the same numbers:{' '}
        <code>pritrace whatif TRACE --a MODEL@ERA --b MODEL@ERA</code>.
      </p>
    </div>
  );
}

/** Per-stage time of each compared run as a stacked bar: where the device's wait goes. */
export async function StageTimeCard({ traceId, selected }: { traceId: number; selected: number[] }) {
  const runs = await withDb((db) => replayRuns(db, traceId));
  const byId = new Map(runs.map((r) => [r.run_id, r]));
  const shown = selected.map((id) => byId.get(id)).filter((r): r is RunRow => r !== undefined);
  if (shown.length === 0) return <Empty>No runs selected.</Empty>;
  return <StageBarChart bars={shown.map((r) => ({ label: runLabel(r), stages: r.stage_time_ns }))} stages={STAGE_TIMES} testId="chart-stage-time" />;
}

const TORNADO_ROWS = 12;

/** Which parameter drives the answer: the latest sensitivity run's largest swings as a tornado. */
export async function SensitivityCard({ traceId, model, preset }: { traceId: number; model: string; preset: string }) {
  const s = await withDb((db) => latestSensitivity(db, traceId));
  const button = <RunSensitivityButton traceId={traceId} model={model} preset={preset} />;
  if (!s) {
    return (
      <div>
        <p className="muted">
          No sensitivity run yet. It replays the trace with each numeric parameter halved and doubled (4 seeds each, about 50 variants) and ranks them by how
          far the device-side p99 moves. Same as <code>pritrace sensitivity TRACE</code>.
        </p>
        {button}
      </div>
    );
  }
  const flagged = s.rows.filter((r) => r.estimate_dominant).map((r) => r.param);
  return (
    <div data-testid="sensitivity">
      <p style={{ marginTop: 0 }}>
        {s.model} {s.preset}
        {s.overrides.length ? ` (${s.overrides.join(' ')})` : ''}, seeds {s.seeds.join(', ')}, saved {s.created_at} UTC: device-side p99{' '}
        {fmtNs(s.base.p99 ? Math.round(s.base.p99.value) : null)} (one seed strays ±{(s.noise * 100).toFixed(0)} %).{' '}
        {flagged.length ? (
          <b data-testid="sensitivity-flag">
            ⚠ Dominant and only an estimate: {flagged.join(', ')} — measure {flagged.length > 1 ? 'them' : 'it'} before trusting the answer.
          </b>
        ) : (
          <span>No estimated parameter dominates beyond the seed noise.</span>
        )}
      </p>
      <TornadoChart
        testId="chart-tornado"
        rows={s.rows.slice(0, TORNADO_ROWS).map((r) => ({
          param: r.param,
          provenance: r.provenance,
          estimateDominant: r.estimate_dominant,
          half: r.half?.p99_change ?? null,
          double: r.double?.p99_change ?? null,
          halfP99: r.half?.p99 ?? null,
          doubleP99: r.double?.p99 ?? null,
        }))}
      />
      <p className="muted" style={{ fontSize: '0.85rem' }}>
        The {Math.min(TORNADO_ROWS, s.rows.length)} of {s.rows.length} parameters that move p99 most; each variant replays the same seeds as the base.
      </p>
      {button}
    </div>
  );
}
