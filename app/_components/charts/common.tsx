import type { ReactNode } from 'react';

// Shared look of the recharts charts: palette, axis style, and a tooltip box. Animation and
// dots stay off everywhere (recharts slows down badly with them on thousands of points).
// No "use client" here: server components read PALETTE too, and a client module would hand
// them a reference instead of the array.

export const PALETTE = ['#2457c5', '#d9480f', '#2f9e44', '#ae3ec9', '#0c8599', '#e8590c', '#5c7cfa', '#c2255c', '#868e96', '#66a80f'];

export const AXIS = { fontSize: 12, fill: '#5c6578' } as const;

export function TooltipBox({ title, rows }: { title: ReactNode; rows: { label: ReactNode; value: ReactNode; color?: string }[] }) {
  return (
    <div className="chart-tooltip">
      <p>
        <b>{title}</b>
      </p>
      {rows.map((r, i) => (
        <p key={i}>
          {r.color ? <span style={{ color: r.color }}>■ </span> : null}
          {r.label}: <b>{r.value}</b>
        </p>
      ))}
    </div>
  );
}

/**
 * A log axis from the decade at or below lo to the decade at or above hi, with a tick at each
 * decade: recharts' own log ticks land on odd values, and ticks outside the domain get drawn
 * at its edge with the wrong label.
 */
export function logAxis(lo: number, hi: number): { domain: [number, number]; ticks: number[] } {
  const a = Math.floor(Math.log10(lo > 0 ? lo : 1));
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi > 0 ? hi : 10)));
  const ticks: number[] = [];
  for (let e = a; e <= b; e++) ticks.push(10 ** e);
  return { domain: [10 ** a, 10 ** b], ticks };
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** Count axis ticks: 18000 → 18K. */
export function axisCount(v: number): string {
  return compact.format(v);
}

/** Left margin and y-axis width that keep the rotated axis title clear of the tick labels. */
export const Y_AXIS_WIDTH = 64;
export const CHART_MARGIN = { top: 8, right: 20, bottom: 22, left: 12 } as const;

export function yTitle(value: string) {
  return { value, angle: -90, position: 'insideLeft' as const, offset: 0, dx: -6, style: { textAnchor: 'middle' as const }, fontSize: 12 };
}

/**
 * The y axis of a metric over a scaling axis, as YAxis props: a decade log axis, or linear from
 * 0 (to 1 for a share), covering the values and their bands' upper ends (`his`).
 */
export function metricYAxis(
  spec: { title: string; tick: (v: number) => string; log: boolean },
  ys: number[],
  his: number[],
  opts: { share?: boolean; integers?: boolean } = {},
) {
  const axis = spec.log
    ? logAxis(ys.length ? Math.min(...ys) : 1, Math.max(ys.length ? Math.max(...ys) : 10, ...his))
    : { domain: [0, opts.share ? 1 : Math.max(1, ...ys, ...his) * 1.05] as [number, number], ticks: undefined };
  return {
    type: 'number' as const,
    scale: spec.log ? ('log' as const) : ('linear' as const),
    allowDecimals: !opts.integers,
    domain: axis.domain,
    ticks: axis.ticks,
    allowDataOverflow: true,
    tickFormatter: spec.tick,
    tick: AXIS,
    width: Y_AXIS_WIDTH,
    label: yTitle(spec.log ? `${spec.title} (log)` : spec.title),
  };
}
