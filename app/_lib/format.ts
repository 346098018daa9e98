// Display formatting shared by server pages and client charts, in the one convention of
// lib/core/display.ts and time.ts that the reports and the CLI use too.

import { NONE, percentText, signedPercentText } from '@/lib/core/display.ts';
import { formatDurationNs } from '@/lib/core/time.ts';
import type { RunRow } from '@/lib/queries/charts/replay-comparison.ts';
import { runFigure } from '@/lib/queries/charts/run-figure.ts';
import { RESPONSE_CODE_NAMES } from '@/lib/trace/schema.ts';

export function fmtNs(ns: number | null | undefined): string {
  return ns === null || ns === undefined ? NONE : formatDurationNs(ns);
}

const intFmt = new Intl.NumberFormat('en-US');

export function fmtCount(n: number | null | undefined): string {
  return n === null || n === undefined ? NONE : intFmt.format(n);
}

export const fmtPercent = percentText;
export const fmtSignedPercent = signedPercentText;

export function fmtBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return NONE;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** Short axis label for a duration: like fmtNs but without trailing zeros ("5 µs", "1.5 ms"). */
export function axisNs(ns: number): string {
  if (ns === 0) return '0';
  const a = Math.abs(ns);
  const [div, unit] = a < 1e3 ? [1, 'ns'] : a < 1e6 ? [1e3, 'µs'] : a < 1e9 ? [1e6, 'ms'] : [1e9, 's'];
  return `${Number((ns / div).toPrecision(3))} ${unit}`;
}

/** Response code → name, from the one list in lib/trace/schema.ts. */
export const CODE_NAMES: Record<number, string> = { ...RESPONSE_CODE_NAMES };

/** A run's figure as the report prints it too (runFigure): the mean over its seeds ± the spread. */
export function fmtRunNs(r: RunRow, of: 'latency_ns' | 'device_latency_ns', p: 'p50' | 'p90' | 'p99' | 'max'): string {
  const f = runFigure(r, of, p);
  return f.spread === null ? fmtNs(f.value) : `${fmtNs(f.value)} ± ${fmtNs(f.spread)}`;
}
