'use client';

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ScalingPoint, ScalingSeries } from '@/lib/queries/charts/scaling.ts';
import { axisNs, fmtCount, fmtNs } from '../../_lib/format.ts';
import { AXIS, CHART_MARGIN, PALETTE, TooltipBox, Y_AXIS_WIDTH, axisCount, logAxis, yTitle } from './common.tsx';

export type ScalingMetric = 'visits_mean' | 'ns_mean' | 'p99_ns';

const METRIC: Record<ScalingMetric, { title: string; format: (v: number) => string; tick: (v: number) => string }> = {
  visits_mean: { title: 'lookup visits per group (mean)', format: (v) => v.toFixed(1), tick: axisCount },
  ns_mean: { title: 'lookup cost per group (mean)', format: (v) => fmtNs(Math.round(v)), tick: axisNs },
  p99_ns: { title: 'latency p99', format: (v) => fmtNs(v), tick: axisNs },
};

const STRUCTURE_COLOR: Record<string, string> = { xarray: PALETTE[0]!, list: PALETTE[1]!, rbtree: PALETTE[2]!, hash: PALETTE[3]! };
const PER_DEVICE_COLOR = '#1b2538';

function pasidTick(v: number): string {
  return v >= 1024 * 1024 ? `${Math.round(v / (1024 * 1024))}M` : v >= 1024 ? `${Math.round(v / 1024)}K` : String(v);
}

/** One metric vs live PASIDs (log-log), a line per model × structure, the trace's own PASID count marked. */
export function ScalingChart({ series, metric, tracePasids, testId }: { series: ScalingSeries[]; metric: ScalingMetric; tracePasids: number; testId: string }) {
  const m = METRIC[metric];
  const shown = series.map((s) => ({ ...s, points: s.points.filter((p) => (p[metric] ?? 0) > 0) }));
  const ys = shown.flatMap((s) => s.points.map((p) => p[metric] as number));
  const xs = shown.flatMap((s) => s.points.map((p) => p.pasids));
  const yAxis = logAxis(ys.length ? Math.min(...ys) : 1, ys.length ? Math.max(...ys) : 10);
  const xMax = xs.length ? Math.max(...xs) : 1 << 20;
  const xTicks = [1, 16, 256, 4096, 65536, 1 << 20].filter((t) => t <= xMax * 2);
  return (
    <div className="chart chart-tall" data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart margin={{ ...CHART_MARGIN, top: 16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          <XAxis
            dataKey="pasids"
            type="number"
            scale="log"
            domain={[1, Math.max(2, xMax)]}
            ticks={xTicks}
            allowDataOverflow
            tickFormatter={pasidTick}
            tick={AXIS}
            label={{ value: 'live PASIDs (log scale)', position: 'insideBottom', offset: -10, fontSize: 12 }}
          />
          <YAxis
            type="number"
            scale="log"
            domain={yAxis.domain}
            ticks={yAxis.ticks}
            allowDataOverflow
            tickFormatter={m.tick}
            tick={AXIS}
            width={Y_AXIS_WIDTH}
            label={yTitle(`${m.title} (log)`)}
          />
          <Tooltip
            content={({ active, payload }) =>
              active && payload?.length ? (
                <TooltipBox
                  title={`${fmtCount((payload[0]!.payload as ScalingPoint).pasids)} live PASIDs`}
                  rows={payload.map((p) => {
                    const pt = p.payload as ScalingPoint;
                    const v = pt[metric];
                    return { label: String(p.name), value: `${v === null ? '—' : m.format(v)} (${fmtCount(pt.sampled_groups)} groups)`, color: String(p.color) };
                  })}
                />
              ) : null
            }
          />
          <Legend verticalAlign="top" itemSorter={null} wrapperStyle={{ paddingBottom: 6 }} />
          {tracePasids > 0 ? (
            <ReferenceLine
              x={tracePasids}
              stroke="#1b2538"
              strokeDasharray="4 3"
              label={{ value: `this trace: ${fmtCount(tracePasids)}`, position: 'insideTopLeft', fontSize: 11, fill: '#1b2538' }}
              ifOverflow="extendDomain"
            />
          ) : null}
          {shown.map((s) => (
            <Line
              key={s.key}
              data={s.points}
              dataKey={metric}
              name={s.key}
              stroke={s.model === 'per-device' ? PER_DEVICE_COLOR : (STRUCTURE_COLOR[s.structure] ?? PALETTE[4])}
              strokeWidth={2}
              strokeDasharray={s.model === 'per-device' ? '6 4' : undefined}
              dot={{ r: 2 }}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
