// A small SVG chart writer for the self-contained HTML report: axes (linear or log), bars,
// lines and step lines, a legend and shaded bands (annotations). Called by html.ts. Pure
// string building: no fonts, images or scripts to fetch, so the chart works offline and in
// print, and every label goes through escapeHtml.

import { escapeHtml } from './escape.ts';

export interface Axis {
  kind: 'linear' | 'log';
  min: number;
  max: number;
  label: string;
  format: (value: number) => string;
}

export interface LineSeries {
  kind: 'line';
  name: string;
  points: readonly (readonly [number, number])[];
  /** Hold each y until the next x (a CDF or a level), instead of joining points diagonally. */
  step?: boolean;
  /** A colour of its own (a replay run's, lib/core/series-colors.ts); else the palette by position. */
  color?: string;
  dashed?: boolean;
}

export interface BarSeries {
  kind: 'bars';
  name: string;
  bars: readonly { x0: number; x1: number; y: number }[];
}

export interface Band {
  x0: number;
  x1: number;
  label: string;
}

export interface ChartSpec {
  title: string;
  width?: number;
  height?: number;
  x: Axis;
  y: Axis;
  series: readonly (LineSeries | BarSeries)[];
  bands?: readonly Band[];
}

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#db2777'];
const BAND_FILL = '#f59e0b';

const r1 = (v: number) => Math.round(v * 10) / 10;

function scale(axis: Axis, from: number, to: number): (v: number) => number {
  if (axis.kind === 'log') {
    const lo = Math.log10(axis.min);
    const span = Math.log10(axis.max) - lo || 1;
    // Values at or below the axis minimum (a zero-latency bucket) sit on the axis.
    return (v) => from + ((Math.log10(Math.max(v, axis.min)) - lo) / span) * (to - from);
  }
  const span = axis.max - axis.min || 1;
  return (v) => from + ((v - axis.min) / span) * (to - from);
}

/** Tick values: powers of ten for a log axis (with 2 and 5 when it spans under two decades), 1/2/5 steps otherwise. */
export function ticks(axis: Axis, target = 5): number[] {
  if (axis.kind === 'log') {
    const out: number[] = [];
    const lo = Math.floor(Math.log10(axis.min));
    const hi = Math.ceil(Math.log10(axis.max));
    const mults = hi - lo <= 2 ? [1, 2, 5] : [1];
    for (let e = lo; e <= hi; e++)
      for (const m of mults) {
        const v = m * 10 ** e;
        if (v >= axis.min && v <= axis.max) out.push(v);
      }
    return out;
  }
  const span = axis.max - axis.min;
  if (!(span > 0)) return [axis.min];
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(axis.min / step) * step; v <= axis.max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A usable range: a log axis needs 0 < min < max, a linear one min < max. */
function normalise(axis: Axis): Axis {
  let { min, max } = axis;
  if (axis.kind === 'log' && !(min > 0)) min = 1;
  if (!(max > min)) max = axis.kind === 'log' ? min * 10 : min + 1;
  return { ...axis, min, max };
}

export function svgChart(input: ChartSpec): string {
  const spec = { ...input, x: normalise(input.x), y: normalise(input.y) };
  const width = spec.width ?? 720;
  const height = spec.height ?? 300;
  const m = { left: 64, right: 16, top: 40, bottom: 44 };
  const x = scale(spec.x, m.left, width - m.right);
  const y = scale(spec.y, height - m.bottom, m.top);
  const clampX = (v: number) => Math.min(spec.x.max, Math.max(spec.x.min, v));
  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
    `<title>${escapeHtml(spec.title)}</title>`,
    `<text x="${m.left}" y="18" class="chart-title">${escapeHtml(spec.title)}</text>`,
  );
  for (const band of spec.bands ?? []) {
    // A note may mark time outside the plotted span; it is drawn at the edge, never off the chart.
    const x0 = x(clampX(Math.min(band.x0, band.x1)));
    const x1 = Math.max(x(clampX(Math.max(band.x0, band.x1))), x0 + 2);
    out.push(
      `<g class="band"><title>${escapeHtml(band.label)}</title>`,
      `<rect x="${r1(x0)}" y="${m.top}" width="${r1(x1 - x0)}" height="${height - m.top - m.bottom}" fill="${BAND_FILL}" fill-opacity="0.18" stroke="${BAND_FILL}" stroke-opacity="0.6"/>`,
      `<text x="${r1(x0 + 2)}" y="${m.top + 11}" class="band-label">${escapeHtml(truncate(band.label, 28))}</text></g>`,
    );
  }
  for (const t of ticks(spec.x)) {
    const px = r1(x(t));
    out.push(`<line x1="${px}" x2="${px}" y1="${m.top}" y2="${height - m.bottom}" class="grid"/>`);
    out.push(`<text x="${px}" y="${height - m.bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(spec.x.format(t))}</text>`);
  }
  for (const t of ticks(spec.y)) {
    const py = r1(y(t));
    out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${py}" y2="${py}" class="grid"/>`);
    out.push(`<text x="${m.left - 6}" y="${py + 4}" text-anchor="end" class="tick">${escapeHtml(spec.y.format(t))}</text>`);
  }
  out.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" class="axis"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" class="axis"/>`,
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 6}" text-anchor="middle" class="axis-label">${escapeHtml(spec.x.label)}</text>`,
    `<text transform="translate(14 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${escapeHtml(spec.y.label)}</text>`,
  );
  const colorOf = (s: LineSeries | BarSeries, i: number) => (s.kind === 'line' && s.color) || PALETTE[i % PALETTE.length]!;
  spec.series.forEach((s, i) => {
    const color = colorOf(s, i);
    if (s.kind === 'bars') {
      const base = height - m.bottom;
      for (const b of s.bars) {
        if (b.y <= 0) continue;
        const x0 = x(b.x0);
        const w = Math.max(1, x(b.x1) - x0 - 1);
        const top = y(b.y);
        out.push(`<rect x="${r1(x0)}" y="${r1(top)}" width="${r1(w)}" height="${r1(base - top)}" fill="${color}"/>`);
      }
    } else if (s.points.length) {
      const pts: string[] = [];
      s.points.forEach(([px, py], k) => {
        if (s.step && k > 0) pts.push(`${r1(x(px))},${r1(y(s.points[k - 1]![1]))}`);
        pts.push(`${r1(x(px))},${r1(y(py))}`);
      });
      const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
      out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="1.6"${dash} data-series="${escapeHtml(s.name)}"/>`);
    }
  });
  if (spec.series.length > 1) {
    let lx = width - m.right;
    const items = spec.series.map((s, i) => ({ name: truncate(s.name, 32), color: colorOf(s, i) })).reverse();
    for (const it of items) {
      lx -= it.name.length * 6.2 + 22;
      out.push(
        `<rect x="${r1(lx)}" y="24" width="10" height="10" fill="${it.color}"/><text x="${r1(lx + 14)}" y="33" class="legend">${escapeHtml(it.name)}</text>`,
      );
    }
  }
  out.push('</svg>');
  return out.join('\n');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
