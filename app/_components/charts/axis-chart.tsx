'use client';

import { CartesianGrid, ComposedChart, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AxisChartPoint, AxisSeries } from '@/lib/queries/charts/scaling-axes.ts';
import type { DeviceAxis } from '@/lib/replay/sweep-axes.ts';
import { axisNs, fmtCount, fmtNs } from '../../_lib/format.ts';
import { AXIS, CHART_MARGIN, TooltipBox, axisCount, metricYAxis } from './common.tsx';
import { AXIS_X } from './axis-x.ts';
import { SeedBandLines } from './seed-band-lines.tsx';

export type AxisMetric = 'device_p99_ns' | 'device_p50_ns' | 'drops' | 'drain_utilisation';

type Band = { lo: keyof AxisChartPoint; hi: keyof AxisChartPoint };

const METRIC: Record<AxisMetric, { title: string; format: (v: number) => string; tick: (v: number) => string; log: boolean; band: Band | null }> = {
  device_p99_ns: {
    title: 'device waits p99',
    format: (v) => fmtNs(Math.round(v)),
    tick: axisNs,
    log: true,
    band: { lo: 'device_p99_lo', hi: 'device_p99_hi' },
  },
  device_p50_ns: {
    title: 'device waits p50',
    format: (v) => fmtNs(Math.round(v)),
    tick: axisNs,
    log: true,
    band: { lo: 'device_p50_lo', hi: 'device_p50_hi' },
  },
  drops: { title: 'requests dropped (PRQ)', format: (v) => fmtCount(Math.round(v)), tick: axisCount, log: false, band: { lo: 'drops_lo', hi: 'drops_hi' } },
  drain_utilisation: {
    title: 'drain thread awake',
    format: (v) => `${(v * 100).toFixed(1)} %`,
    tick: (v) => `${Math.round(v * 100)} %`,
    log: false,
    band: null,
  },
};

/** Powers of two (or of ten below 1) inside [lo, hi], at most about six of them. */
function xTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log2(lo)); 2 ** e <= hi * 1.0001; e++) if (2 ** e >= lo * 0.9999) ticks.push(2 ** e);
  const step = Math.max(1, Math.ceil(ticks.length / 6));
  return ticks.filter((_t, i) => i % step === 0);
}

/**
 * One metric vs the axis's measured x (log), a line per model × structure (per-device dashed,
 * hypothetical structures dotted), the range one more seed lands in as a band, and the trace's
 * own x as a reference line.
 */
export function AxisChart({
  series,
  metric,
  axis,
  traceX,
  testId,
}: {
  series: AxisSeries[];
  metric: AxisMetric;
  axis: DeviceAxis;
  traceX: number | null;
  testId: string;
}) {
  const m = METRIC[metric];
  const x = AXIS_X[axis];
  const shown = series.map((s) => ({ ...s, points: s.points.filter((p) => p[metric] !== null && p.x > 0 && (!m.log || (p[metric] as number) > 0)) }));
  const ys = shown.flatMap((s) => s.points.map((p) => p[metric] as number));
  const his = m.band ? shown.flatMap((s) => s.points.map((p) => (p[m.band!.hi] as number | null) ?? 0)) : [];
  const xs = shown.flatMap((s) => s.points.map((p) => p.x));
  if (traceX !== null && traceX > 0) xs.push(traceX);
  const xLo = xs.length ? Math.min(...xs) : 1;
  const xHi = xs.length ? Math.max(...xs) : 2;
  const xDomain: [number, number] = [xLo / 1.25, xHi * 1.25];
  const yAxis = metricYAxis(m, ys, his, { share: metric === 'drain_utilisation', integers: metric === 'drops' });
  const band = m.band;
  // The trace's label goes on the side of its line with more room.
  const traceRight = traceX !== null && traceX > 0 && Math.log(traceX / xDomain[0]) > Math.log(xDomain[1] / xDomain[0]) / 2;
  return (
    <div className="chart chart-tall" data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart margin={{ ...CHART_MARGIN, top: 16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          <XAxis
            dataKey="x"
            type="number"
            scale="log"
            domain={xDomain}
            ticks={xTicks(xDomain[0], xDomain[1])}
            allowDataOverflow
            tickFormatter={x.format}
            tick={AXIS}
            label={{ value: x.label, position: 'insideBottom', offset: -10, fontSize: 12 }}
          />
          <YAxis {...yAxis} />
          <Tooltip
            content={({ active, payload }) =>
              active && payload?.length ? (
                <TooltipBox
                  title={`${x.format((payload[0]!.payload as AxisChartPoint).x)} ${axis === 'outstanding' ? 'in flight per device' : 'devices per PASID'}`}
                  rows={payload
                    .filter((p) => p.type !== 'none')
                    .map((p) => {
                      const pt = p.payload as AxisChartPoint;
                      const v = pt[metric];
                      const lo = band ? (pt[band.lo] as number | null) : null;
                      const hi = band ? (pt[band.hi] as number | null) : null;
                      const range = lo !== null && hi !== null ? ` [${m.format(lo)}, ${m.format(hi)}]` : '';
                      const where = `${pt.devices} devices, ${pt.outstanding === null ? '—' : AXIS_X.outstanding.format(pt.outstanding)} in flight each, ${AXIS_X.sharing.format(pt.devices_per_pasid)} per PASID`;
                      return { label: String(p.name), value: `${v === null ? '—' : m.format(v as number)}${range} (${where})`, color: String(p.color) };
                    })}
                />
              ) : null
            }
          />
          <Legend verticalAlign="top" itemSorter={null} wrapperStyle={{ paddingBottom: 6 }} />
          {traceX !== null && traceX > 0 ? (
            <ReferenceLine
              x={traceX}
              stroke="#1b2538"
              strokeDasharray="4 3"
              label={{ value: `this trace: ${x.format(traceX)}`, position: traceRight ? 'insideTopRight' : 'insideTopLeft', fontSize: 11, fill: '#1b2538' }}
              ifOverflow="extendDomain"
            />
          ) : null}
          <SeedBandLines
            series={shown}
            dataKey={metric}
            band={band ? (p: AxisChartPoint) => [p[band.lo] as number | null, p[band.hi] as number | null] : null}
            floor={yAxis.domain[0]}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
