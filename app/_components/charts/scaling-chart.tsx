'use client';

import { CartesianGrid, ComposedChart, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ScalingPoint, ScalingSeries } from '@/lib/queries/charts/scaling.ts';
import { axisNs, fmtCount, fmtNs } from '../../_lib/format.ts';
import { AXIS, CHART_MARGIN, TooltipBox, axisCount, metricYAxis } from './common.tsx';
import { SeedBandLines } from './seed-band-lines.tsx';

export type ScalingMetric = 'device_p99_ns' | 'drops' | 'drain_utilisation' | 'p99_ns' | 'visits_mean' | 'ns_mean';

const METRIC: Record<ScalingMetric, { title: string; format: (v: number) => string; tick: (v: number) => string; log: boolean }> = {
  device_p99_ns: { title: 'device waits p99', format: (v) => fmtNs(Math.round(v)), tick: axisNs, log: true },
  drops: { title: 'requests dropped (PRQ)', format: (v) => fmtCount(Math.round(v)), tick: axisCount, log: false },
  drain_utilisation: { title: 'drain thread awake', format: (v) => `${(v * 100).toFixed(1)} %`, tick: (v) => `${Math.round(v * 100)} %`, log: false },
  p99_ns: { title: 'latency from report p99', format: (v) => fmtNs(Math.round(v)), tick: axisNs, log: true },
  visits_mean: { title: 'lookup visits per group (mean)', format: (v) => v.toFixed(1), tick: axisCount, log: true },
  ns_mean: { title: 'lookup cost per group (mean)', format: (v) => fmtNs(Math.round(v)), tick: axisNs, log: true },
};

function pasidTick(v: number): string {
  return v >= 1024 * 1024 ? `${Math.round(v / (1024 * 1024))}M` : v >= 1024 ? `${Math.round(v / 1024)}K` : String(v);
}

/**
 * One metric vs live PASIDs (log x), a line per model × structure (hypothetical structures
 * dotted), the trace's own PASID count marked. The device-wait chart draws each line's interval
 * over seeds as a band.
 */
export function ScalingChart({ series, metric, tracePasids, testId }: { series: ScalingSeries[]; metric: ScalingMetric; tracePasids: number; testId: string }) {
  const m = METRIC[metric];
  const shown = series.map((s) => ({ ...s, points: s.points.filter((p) => p[metric] !== null && (!m.log || (p[metric] as number) > 0)) }));
  const ys = shown.flatMap((s) => s.points.map((p) => p[metric] as number));
  const xs = shown.flatMap((s) => s.points.map((p) => p.pasids));
  const band = metric === 'device_p99_ns';
  const his = band ? shown.flatMap((s) => s.points.map((p) => p.device_p99_hi ?? 0)) : [];
  const yAxis = metricYAxis(m, ys, his, { share: metric === 'drain_utilisation', integers: metric === 'drops' });
  const xMax = xs.length ? Math.max(...xs) : 1 << 20;
  const xTicks = [1, 16, 256, 4096, 65536, 1 << 20].filter((t) => t <= xMax * 2);
  return (
    <div className="chart chart-tall" data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart margin={{ ...CHART_MARGIN, top: 16 }}>
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
          <YAxis {...yAxis} />
          <Tooltip
            content={({ active, payload }) =>
              active && payload?.length ? (
                <TooltipBox
                  title={`${fmtCount((payload[0]!.payload as ScalingPoint).pasids)} live PASIDs`}
                  rows={payload
                    .filter((p) => p.type !== 'none')
                    .map((p) => {
                      const pt = p.payload as ScalingPoint;
                      const v = pt[metric];
                      const range =
                        band && pt.device_p99_lo !== null && pt.device_p99_hi !== null ? ` [${m.format(pt.device_p99_lo)}, ${m.format(pt.device_p99_hi)}]` : '';
                      return {
                        label: String(p.name),
                        value: `${v === null ? '—' : m.format(v)}${range} (${fmtCount(pt.sampled_groups)} groups)`,
                        color: String(p.color),
                      };
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
          <SeedBandLines series={shown} dataKey={metric} band={band ? (p: ScalingPoint) => [p.device_p99_lo, p.device_p99_hi] : null} floor={yAxis.domain[0]} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
