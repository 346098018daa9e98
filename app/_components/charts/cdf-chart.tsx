'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CdfPoint } from '@/lib/queries/charts/latency-cdf.ts';
import { axisNs, fmtNs, fmtPercent } from '../../_lib/format.ts';
import { AXIS, CHART_MARGIN, PALETTE, TooltipBox, Y_AXIS_WIDTH, logAxis, yTitle } from './common.tsx';

export interface CdfSeries {
  name: string;
  points: CdfPoint[];
  color?: string;
  dashed?: boolean;
  /** At each fraction q, the latency range [lo, hi] one more seed lands in: drawn as two thin curves. */
  band?: { q: number; lo: number; hi: number }[];
}

/** One or more latency CDFs on a shared log-x axis (recorded vs replayed on the replay page). */
export function CdfChart({ series, testId = 'chart-latency-cdf' }: { series: CdfSeries[]; testId?: string }) {
  // Log x whenever there is something positive to plot. Zero latencies (same-timestamp
  // responses) have no place on it; the curve then starts at the first positive latency at
  // the height that already counts them, which is what a CDF says there.
  const positive = series.flatMap((s) => s.points.map((p) => p.latency_ns)).filter((v) => v > 0);
  const log = positive.length > 0;
  const axis = logAxis(log ? Math.min(...positive) : 1, log ? Math.max(...positive) : 10);
  const shown = series.map((s) => ({ ...s, points: log ? s.points.filter((p) => p.latency_ns > 0) : s.points }));
  return (
    <div className="chart" data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart margin={CHART_MARGIN}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          <XAxis
            dataKey="latency_ns"
            type="number"
            scale={log ? 'log' : 'linear'}
            domain={log ? axis.domain : [0, 'auto']}
            ticks={log ? axis.ticks : undefined}
            allowDataOverflow
            tickFormatter={axisNs}
            tick={AXIS}
            label={{ value: `latency${log ? ' (log scale)' : ''}`, position: 'insideBottom', offset: -10, fontSize: 12 }}
          />
          <YAxis
            dataKey="fraction"
            type="number"
            domain={[0, 1]}
            ticks={[0, 0.25, 0.5, 0.75, 0.9, 0.99, 1]}
            tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
            tick={AXIS}
            width={Y_AXIS_WIDTH}
            label={yTitle('groups ≤ latency')}
          />
          <Tooltip
            content={({ active, payload }) =>
              active && payload?.length ? (
                <TooltipBox
                  title="CDF"
                  rows={payload.map((p) => {
                    const pt = p.payload as CdfPoint;
                    return { label: String(p.name), value: `${fmtPercent(pt.fraction)} ≤ ${fmtNs(pt.latency_ns)}`, color: String(p.color) };
                  })}
                />
              ) : null
            }
          />
          {series.length > 1 ? <Legend verticalAlign="top" itemSorter={null} wrapperStyle={{ paddingBottom: 6 }} /> : null}
          {shown.flatMap((s, i) =>
            (['lo', 'hi'] as const).flatMap((edge) => {
              const pts = (s.band ?? []).map((b) => ({ latency_ns: b[edge], fraction: b.q })).filter((p) => !log || p.latency_ns > 0);
              return pts.length
                ? [
                    <Line
                      key={`${s.name} ${edge}`}
                      data={pts}
                      dataKey="fraction"
                      name={`${s.name} seed range`}
                      legendType="none"
                      tooltipType="none"
                      type="stepAfter"
                      stroke={s.color ?? PALETTE[i % PALETTE.length]}
                      strokeOpacity={0.45}
                      strokeWidth={1}
                      dot={false}
                      isAnimationActive={false}
                    />,
                  ]
                : [];
            }),
          )}
          {shown.map((s, i) => (
            <Line
              key={s.name}
              data={s.points}
              dataKey="fraction"
              name={s.name}
              type="stepAfter"
              stroke={s.color ?? PALETTE[i % PALETTE.length]}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '6 4' : undefined}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
