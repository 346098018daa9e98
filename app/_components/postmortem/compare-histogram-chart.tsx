'use client';

// Two latency histograms on one log-bucket axis. The buckets come from the database already
// shared (one query counts both sides); each side is drawn as its share of its own groups so
// sides of unequal size compare, with the counts in the tooltip.

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SharedHistogram } from '@/lib/queries/charts/compare.ts';
import { axisNs, fmtCount, fmtNs, fmtPercent } from '../../_lib/format.ts';
import { AXIS, CHART_MARGIN, PALETTE, TooltipBox, Y_AXIS_WIDTH, yTitle } from '../charts/common.tsx';

export function CompareHistogramChart({
  histogram: h,
  names,
  colors = [PALETTE[0]!, PALETTE[1]!],
}: {
  histogram: SharedHistogram;
  names: [string, string];
  colors?: [string, string];
}) {
  const data = h.bins.map((bin) => ({
    ...bin,
    label: bin.lower_ns === 0 ? '0 ns' : axisNs(bin.lower_ns),
    share_a: h.total_a ? bin.a / h.total_a : 0,
    share_b: h.total_b ? bin.b / h.total_b : 0,
  }));
  return (
    <div className="chart" data-testid="compare-histogram" data-total-a={h.total_a} data-total-b={h.total_b} data-bins={h.bins.length}>
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
                    { label: names[0], value: `${fmtCount(d.a)} (${fmtPercent(d.share_a)})`, color: colors[0] },
                    { label: names[1], value: `${fmtCount(d.b)} (${fmtPercent(d.share_b)})`, color: colors[1] },
                  ]}
                />
              ) : null;
            }}
          />
          <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 6 }} />
          <Bar dataKey="share_a" name={names[0]} fill={colors[0]} isAnimationActive={false} />
          <Bar dataKey="share_b" name={names[1]} fill={colors[1]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
