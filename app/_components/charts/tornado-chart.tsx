'use client';

import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtNs } from '../../_lib/format.ts';
import { AXIS, TooltipBox } from './common.tsx';

export interface TornadoRow {
  param: string;
  provenance: string;
  estimateDominant: boolean;
  /** Relative change of device-side p99 when halved / doubled (0.25 = +25 %). */
  half: number | null;
  double: number | null;
  halfP99: number | null;
  doubleP99: number | null;
}

const pct = (v: number) => `${v >= 0 ? '+' : ''}${Math.round(v * 100)} %`;

/** Tornado: per parameter, how far device-side p99 moves when it is halved (left bar) and doubled (right bar). */
export function TornadoChart({ rows, testId }: { rows: TornadoRow[]; testId?: string }) {
  const data = rows.map((r) => ({ ...r, label: `${r.estimateDominant ? '⚠ ' : ''}${r.param} (${r.provenance})`, half: r.half ?? 0, double: r.double ?? 0 }));
  return (
    <div className="chart" style={{ height: 80 + 30 * rows.length }} data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 20, left: 8 }} barGap={-14} barCategoryGap={8}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" horizontal={false} />
          <XAxis
            type="number"
            tick={AXIS}
            tickFormatter={pct}
            label={{ value: 'change of device-side p99', position: 'insideBottom', offset: -12, fontSize: 12 }}
          />
          <YAxis type="category" dataKey="label" tick={AXIS} width={250} interval={0} />
          <ReferenceLine x={0} stroke="#5c6578" />
          <Tooltip
            content={({ active, payload, label }) => {
              const r = active && payload?.length ? (payload[0]!.payload as TornadoRow) : null;
              return r ? (
                <TooltipBox
                  title={String(label)}
                  rows={[
                    {
                      label: 'halved',
                      value: `${r.halfP99 === null ? '—' : fmtNs(Math.round(r.halfP99))} (${r.half === null ? '—' : pct(r.half)})`,
                      color: '#2f9e44',
                    },
                    {
                      label: 'doubled',
                      value: `${r.doubleP99 === null ? '—' : fmtNs(Math.round(r.doubleP99))} (${r.double === null ? '—' : pct(r.double)})`,
                      color: '#d9480f',
                    },
                  ]}
                />
              ) : null;
            }}
          />
          <Legend verticalAlign="top" height={28} wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="half" name="halved" fill="#2f9e44" barSize={14} isAnimationActive={false} />
          <Bar dataKey="double" name="doubled" fill="#d9480f" barSize={14} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
