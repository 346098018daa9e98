'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistogramBin } from '@/lib/queries/charts/latency-histogram.ts';
import { axisNs, fmtCount, fmtNs, fmtPercent } from '../../_lib/format.ts';
import { AXIS, CHART_MARGIN, TooltipBox, Y_AXIS_WIDTH, axisCount, yTitle } from './common.tsx';

/** True for a bucket whose lower edge is a power of ten: only those get an axis label. */
function isDecade(ns: number): boolean {
  const e = Math.log10(ns);
  return Math.abs(e - Math.round(e)) < 1e-9;
}

/** The explorer URL for a bucket's groups: base (a /groups URL with the page's filter) plus its exact latency bounds. */
function bucketHref(base: string, b: HistogramBin): string | null {
  if (b.count === 0 || b.min_ns === null || b.max_ns === null) return null;
  const u = new URL(base, 'http://x');
  u.searchParams.set('lat_min', String(b.min_ns));
  u.searchParams.set('lat_max', String(b.max_ns));
  return `${u.pathname}${u.search}`;
}

/**
 * groupsBase, when given, makes every bar a link to its groups in the fault-group explorer
 * (a /groups URL carrying the page's filter); the slowest bucket also gets a plain link for
 * keyboard users.
 */
export function LatencyHistogramChart({ bins, total, groupsBase }: { bins: HistogramBin[]; total: number; groupsBase?: string }) {
  const router = useRouter();
  const slowest = [...bins].reverse().find((b) => b.count > 0);
  const slowestHref = groupsBase && slowest ? bucketHref(groupsBase, slowest) : null;
  const data = bins.map((b) => ({ ...b, label: b.lower_ns === 0 ? '0' : axisNs(b.lower_ns) }));
  // Few bins: label each. More: the first bin and the decades, skipping any label that would
  // sit within three bins of the previous one (a zero bucket next to 1 µs, say).
  const shown = new Set<number>();
  let last = -Infinity;
  data.forEach((b, i) => {
    const wanted = data.length <= 6 || i === 0 || b.lower_ns === 0 || isDecade(b.lower_ns);
    if (wanted && (data.length <= 6 || i - last >= 3)) {
      shown.add(i);
      last = i;
    }
  });
  return (
    <>
      <div className="chart" data-testid="chart-latency-histogram">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={CHART_MARGIN} barCategoryGap={1}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" vertical={false} />
            <XAxis
              dataKey="label"
              tick={AXIS}
              interval={0}
              tickFormatter={(label: string, i: number) => (shown.has(i) ? label : '')}
              label={{ value: 'latency (log buckets, lower edge)', position: 'insideBottom', offset: -10, fontSize: 12 }}
            />
            <YAxis tick={AXIS} width={Y_AXIS_WIDTH} allowDecimals={false} tickFormatter={axisCount} label={yTitle('groups')} />
            <Tooltip
              cursor={{ fill: 'rgba(36, 87, 197, 0.08)' }}
              content={({ active, payload }) => {
                const b = active && payload?.length ? (payload[0]!.payload as HistogramBin) : null;
                return b ? (
                  <TooltipBox
                    title={b.lower_ns === 0 ? '0 ns' : `${fmtNs(b.lower_ns)} – ${fmtNs(b.upper_ns)}`}
                    rows={[
                      { label: 'groups', value: fmtCount(b.count) },
                      { label: 'share', value: fmtPercent(total ? b.count / total : null) },
                      ...(groupsBase && b.count ? [{ label: 'click', value: 'list these groups' }] : []),
                    ]}
                  />
                ) : null;
              }}
            />
            <Bar
              dataKey="count"
              name="groups"
              fill="#2457c5"
              isAnimationActive={false}
              cursor={groupsBase ? 'pointer' : undefined}
              onClick={(entry: { payload?: HistogramBin }) => {
                const href = groupsBase && entry.payload ? bucketHref(groupsBase, entry.payload) : null;
                if (href) router.push(href);
              }}
            />
          </BarChart>
        </ResponsiveContainer>
      </div>
      {slowestHref && slowest ? (
        <p className="chart-note no-print">
          Click a bar to list its groups ·{' '}
          <Link href={slowestHref} data-testid="histogram-slowest-link">
            slowest bucket: {fmtCount(slowest.count)} {slowest.count === 1 ? 'group' : 'groups'} of {fmtNs(slowest.min_ns)}
            {slowest.max_ns !== slowest.min_ns ? ` – ${fmtNs(slowest.max_ns)}` : ''}
          </Link>
        </p>
      ) : null}
    </>
  );
}
