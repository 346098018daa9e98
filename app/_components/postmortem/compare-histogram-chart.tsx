'use client';

// Two latency histograms on one shared log-bucket axis: the buckets of both sides merged by
// lower edge, each side's share of its own groups side by side (so unequal sizes compare).

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistogramBin } from '@/lib/queries/charts/latency-histogram.ts';
import { axisNs, fmtCount, fmtNs, fmtPercent } from '../../_lib/format.ts';
import { AXIS, CHART_MARGIN, PALETTE, TooltipBox, Y_AXIS_WIDTH, yTitle } from '../charts/common.tsx';

interface Side {
  name: string;
  bins: HistogramBin[];
  total: number;
}

export function CompareHistogramChart({ a, b }: { a: Side; b: Side }) {
  const edges = new Map<number, { lower_ns: number; upper_ns: number; a: number; b: number; na: number; nb: number }>();
  for (const [side, s] of [
    ['a', a],
    ['b', b],
  ] as const) {
    for (const bin of s.bins) {
      const e = edges.get(bin.lower_ns) ?? { lower_ns: bin.lower_ns, upper_ns: bin.upper_ns, a: 0, b: 0, na: 0, nb: 0 };
      e[side] = s.total ? bin.count / s.total : 0;
      e[side === 'a' ? 'na' : 'nb'] = bin.count;
      edges.set(bin.lower_ns, e);
    }
  }
  const data = [...edges.values()].sort((x, y) => x.lower_ns - y.lower_ns).map((e) => ({ ...e, label: e.lower_ns === 0 ? '0 ns' : axisNs(e.lower_ns) }));
  return (
    <div className="chart" data-testid="compare-histogram">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={CHART_MARGIN} barCategoryGap={1}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" vertical={false} />
          <XAxis dataKey="label" tick={AXIS} label={{ value: 'latency (log buckets, lower edge)', position: 'insideBottom', offset: -10, fontSize: 12 }} />
          <YAxis tick={AXIS} width={Y_AXIS_WIDTH} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} label={yTitle('share of groups')} />
          <Tooltip
            content={({ active, payload }) => {
              const d = active && payload?.length ? (payload[0]!.payload as (typeof data)[number]) : null;
              return d ? (
                <TooltipBox
                  title={d.lower_ns === 0 ? '0 ns' : `${fmtNs(d.lower_ns)} – ${fmtNs(d.upper_ns)}`}
                  rows={[
                    { label: a.name, value: `${fmtCount(d.na)} (${fmtPercent(d.a)})`, color: PALETTE[0] },
                    { label: b.name, value: `${fmtCount(d.nb)} (${fmtPercent(d.b)})`, color: PALETTE[1] },
                  ]}
                />
              ) : null;
            }}
          />
          <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 6 }} />
          <Bar dataKey="a" name={a.name} fill={PALETTE[0]} isAnimationActive={false} />
          <Bar dataKey="b" name={b.name} fill={PALETTE[1]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
