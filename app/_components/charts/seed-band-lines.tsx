'use client';

// The series of every scaling chart (live PASIDs and the device axes): one line per model ×
// structure and, when the metric has one, the range one more seed lands in as a faint band
// under it. One place holds the rules a reader learns once and reads on every axis: per-device
// dark and dashed, domain-wide coloured by structure, hypothetical structures dotted, and the
// band cut at the log axis's floor (recharts draws nothing for a band below a log domain).

import { Area, Line } from 'recharts';
import { PALETTE } from './common.tsx';

export interface BandLineSeries<P> {
  /** "model / structure", the legend label. */
  key: string;
  model: string;
  structure: string;
  /** No kernel uses the structure for PASID → domain (list, hash). */
  hypothetical: boolean;
  points: P[];
}

const STRUCTURE_COLOR: Record<string, string> = { xarray: PALETTE[0]!, list: PALETTE[1]!, rbtree: PALETTE[2]!, hash: PALETTE[3]! };
const PER_DEVICE_COLOR = '#1b2538';

/** Per-device dark, domain-wide by structure: the same colours on every scaling axis. */
export function colorOf(s: Pick<BandLineSeries<unknown>, 'model' | 'structure'>): string {
  return s.model === 'per-device' ? PER_DEVICE_COLOR : (STRUCTURE_COLOR[s.structure] ?? PALETTE[4]!);
}

function dashOf(s: Pick<BandLineSeries<unknown>, 'model' | 'hypothetical'>): string | undefined {
  return s.model === 'per-device' ? '6 4' : s.hypothetical ? '2 3' : undefined;
}

/**
 * The bands (when `band` gives a point's [lo, hi]) then the lines, so every line is drawn over
 * every band. `floor` is the y domain's lower end: a missing or lower bound is drawn there.
 */
export function SeedBandLines<P extends object>({
  series,
  dataKey,
  band,
  floor,
}: {
  series: BandLineSeries<P>[];
  dataKey: keyof P & string;
  band: ((p: P) => [number | null, number | null]) | null;
  floor: number;
}) {
  return (
    <>
      {band
        ? series.map((s) => (
            <Area
              key={`${s.key} band`}
              data={s.points}
              dataKey={(p: P) => band(p).map((v) => Math.max(floor, v ?? floor))}
              name={`${s.key} interval`}
              legendType="none"
              tooltipType="none"
              stroke="none"
              fill={colorOf(s)}
              fillOpacity={0.08}
              isAnimationActive={false}
            />
          ))
        : null}
      {series.map((s) => (
        <Line
          key={s.key}
          data={s.points}
          dataKey={dataKey}
          name={s.key}
          stroke={colorOf(s)}
          strokeWidth={2}
          strokeDasharray={dashOf(s)}
          dot={{ r: 2 }}
          isAnimationActive={false}
        />
      ))}
    </>
  );
}
