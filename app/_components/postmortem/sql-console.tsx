'use client';

// The SQL console: a textarea and Run (Ctrl+Enter), the statement kept in the URL (?q=) so a
// copied link brings it back (to be run with Run, never on open), the result as a table (cells as React text) and a quick line chart of
// two numeric columns (the first two unless the user picks x and y). Refusals and time-outs show the server's message as it is.

import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SqlResult } from '../../api/_contract.ts';
import { AXIS, CHART_MARGIN, Y_AXIS_WIDTH, axisCount } from '../charts/common.tsx';

type Result = SqlResult;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const EXAMPLE =
  "SELECT device, count(*) AS groups, quantile_disc(latency_ns, 0.99) AS p99_ns\nFROM fault_groups WHERE status = 'answered'\nGROUP BY device ORDER BY groups DESC";

function cell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function SqlConsole() {
  const router = useRouter();
  const search = useSearchParams();
  const initial = search.get('q') ?? EXAMPLE;
  const [sql, setSql] = useState(initial);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<{ message: string; status: number } | null>(null);
  const [busy, setBusy] = useState(false);
  // Column indexes the user picked for the chart; null until then (the first two numeric columns).
  const [axes, setAxes] = useState<{ x: number; y: number } | null>(null);
  // A shared link (?q=) fills the box but never runs by itself: a link from anywhere must not be
  // enough to make this server execute a statement.
  const linked = search.get('q') !== null && result === null && error === null && !busy;

  async function run(text: string, push = true) {
    setBusy(true);
    setError(null);
    if (push) router.replace(`/sql?q=${encodeURIComponent(text)}`, { scroll: false });
    try {
      const res = await fetch('/api/sql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: text }) });
      const body = (await res.json()) as Result & { error?: string };
      if (!res.ok) {
        setResult(null);
        setError({ message: body.error ?? `HTTP ${res.status}`, status: res.status });
      } else {
        setResult(body);
        setAxes(null);
      }
    } catch (e) {
      setError({ message: (e as Error).message, status: 0 });
    } finally {
      setBusy(false);
    }
  }

  const numeric = result ? result.columns.map((c, i) => ({ ...c, i })).filter((c) => NUMERIC.test(c.type)) : [];
  const xCol = numeric.find((c) => c.i === axes?.x) ?? numeric[0];
  const yCol = numeric.find((c) => c.i === axes?.y) ?? numeric[1];
  const chart =
    result && xCol && yCol && result.rows.length > 1
      ? result.rows.map((r) => ({ x: Number(r[xCol.i]), y: Number(r[yCol.i]) })).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
      : null;

  return (
    <div className="sql-console">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(sql);
        }}
      >
        <label htmlFor="sql-text" className="muted">
          One read-only SELECT (Ctrl+Enter runs it)
        </label>
        <textarea
          id="sql-text"
          data-testid="sql-text"
          value={sql}
          rows={8}
          spellCheck={false}
          className="mono"
          style={{ width: '100%' }}
          onChange={(e) => setSql(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void run(sql);
            }
          }}
        />
        <button type="submit" disabled={busy} data-testid="sql-run">
          {busy ? 'Running…' : 'Run'}
        </button>
        {linked ? (
          <span className="muted" data-testid="sql-linked" style={{ marginLeft: '0.6rem' }}>
            Statement from the link: read it, then Run.
          </span>
        ) : null}
      </form>
      {error ? (
        <p
          role="alert"
          className="error"
          data-testid="sql-error"
          data-status={error.status}
          style={{ color: 'var(--bad)', background: 'var(--bad-soft)', padding: '0.4rem 0.6rem', borderRadius: 4 }}
        >
          {error.message}
        </p>
      ) : null}
      {result ? (
        <>
          <p className="muted" data-testid="sql-meta" data-rows={result.rows.length}>
            {result.rows.length} row{result.rows.length === 1 ? '' : 's'} in {result.elapsed_ms.toFixed(0)} ms
            {result.truncated ? (result.truncated_by === 'size' ? ' (capped: the result reached its size limit)' : ` (capped at ${result.max_rows})`) : ''}
            {result.truncated_cells ? `, ${result.truncated_cells} long cells cut` : ''}
          </p>
          {xCol && yCol && numeric.length >= 2 ? (
            <p className="chart-axes muted" data-testid="sql-axes">
              <label>
                x{' '}
                <select data-testid="sql-x" value={xCol.i} onChange={(e) => setAxes({ x: Number(e.target.value), y: yCol.i })}>
                  {numeric.map((c) => (
                    <option key={c.i} value={c.i}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>{' '}
              <label>
                y{' '}
                <select data-testid="sql-y" value={yCol.i} onChange={(e) => setAxes({ x: xCol.i, y: Number(e.target.value) })}>
                  {numeric.map((c) => (
                    <option key={c.i} value={c.i}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>
            </p>
          ) : null}
          {chart && chart.length > 1 ? (
            <div className="chart" data-testid="sql-chart" data-x={xCol!.name} data-y={yCol!.name}>
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={chart} margin={CHART_MARGIN}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
                  <XAxis
                    dataKey="x"
                    type="number"
                    domain={['dataMin', 'dataMax']}
                    tick={AXIS}
                    tickFormatter={axisCount}
                    label={{ value: xCol!.name, position: 'insideBottom', offset: -10, fontSize: 12 }}
                  />
                  <YAxis dataKey="y" tick={AXIS} width={Y_AXIS_WIDTH} tickFormatter={axisCount} />
                  <Tooltip />
                  <Line dataKey="y" name={yCol!.name} stroke="#2457c5" dot={chart.length <= 50} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          ) : null}
          <div className="table-wrap table-scroll">
            <table data-testid="sql-result">
              <thead>
                <tr>
                  {result.columns.map((c, i) => (
                    <th key={i} scope="col" title={c.type}>
                      {c.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {result.rows.slice(0, 1000).map((r, i) => (
                  <tr key={i}>
                    {r.map((v, j) => (
                      <td key={j} className={typeof v === 'number' ? 'num' : undefined}>
                        {cell(v)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {result.rows.length > 1000 ? <p className="muted">Showing the first 1000 rows.</p> : null}
        </>
      ) : null}
    </div>
  );
}
