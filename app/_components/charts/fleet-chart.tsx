'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { FleetPoint } from '@/lib/queries/fleet.ts';
import { axisNs, fmtCount, fmtNs } from '../../_lib/format.ts';
import { AXIS, CHART_MARGIN, PALETTE, TooltipBox, Y_AXIS_WIDTH, logAxis, yTitle } from './common.tsx';

/** A percentile over dates, a line per host × kernel era (log y): the fleet's trend at a glance. */
export function FleetChart({ points, metric }: { points: FleetPoint[]; metric: 'p50' | 'p99' }) {
  const key = (p: FleetPoint) => `${p.host} · ${p.kernel_era ?? 'kernel ?'}`;
  const series = [...new Set(points.map(key))];
  const dates = [...new Set(points.map((p) => p.date))].sort();
  const rows = dates.map((date) => {
    const row: Record<string, string | number> = { date };
    for (const p of points.filter((x) => x.date === date)) {
      row[key(p)] = p[metric];
      row[`${key(p)} groups`] = p.groups;
    }
    return row;
  });
  const ys = points.map((p) => p[metric]).filter((v) => v > 0);
  const y = logAxis(ys.length ? Math.min(...ys) : 100, ys.length ? Math.max(...ys) : 1000);
  return (
    <div className="chart chart-tall" data-testid={`fleet-${metric}-chart`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ ...CHART_MARGIN, top: 16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          <XAxis dataKey="date" tick={AXIS} label={{ value: 'date partition (UTC)', position: 'insideBottom', offset: -10, fontSize: 12 }} />
          <YAxis
            type="number"
            scale="log"
            domain={y.domain}
            ticks={y.ticks}
            allowDataOverflow
            tickFormatter={axisNs}
            tick={AXIS}
            width={Y_AXIS_WIDTH}
            label={yTitle(`latency ${metric} (log)`)}
          />
          <Tooltip
            content={({ active, payload, label }) =>
              active && payload?.length ? (
                <TooltipBox
                  title={String(label)}
                  rows={payload.map((p) => ({
                    label: String(p.name),
                    value: `${fmtNs(Number(p.value))} (${fmtCount(Number((p.payload as Record<string, number>)[`${p.name} groups`]))} groups)`,
                    color: String(p.color),
                  }))}
                />
              ) : null
            }
          />
          <Legend verticalAlign="top" height={28} wrapperStyle={{ fontSize: 12 }} />
          {series.map((s, i) => (
            <Line
              key={s}
              dataKey={s}
              name={s}
              stroke={PALETTE[i % PALETTE.length]}
              strokeWidth={2}
              dot={dates.length <= 2}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
