'use client';

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { axisNs, fmtNs } from '../../_lib/format.ts';
import { AXIS, PALETTE, TooltipBox } from './common.tsx';

export interface StageBar {
  label: string;
  stages: Record<string, number>;
}

/** Where a run's device wait goes: one stacked bar per run, a segment per stage (mean ns per group). */
export function StageBarChart({ bars, stages, testId }: { bars: StageBar[]; stages: readonly string[]; testId?: string }) {
  const rows = bars.map((b) => ({ label: b.label, ...b.stages }));
  return (
    <div className="chart" style={{ height: 90 + 44 * bars.length }} data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 24, bottom: 20, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" horizontal={false} />
          <XAxis
            type="number"
            tick={AXIS}
            tickFormatter={axisNs}
            label={{ value: 'mean per answered group (request → response at the device)', position: 'insideBottom', offset: -12, fontSize: 12 }}
          />
          <YAxis type="category" dataKey="label" tick={AXIS} width={170} />
          <Tooltip
            content={({ active, payload, label }) =>
              active && payload?.length ? (
                <TooltipBox
                  title={String(label)}
                  rows={payload.map((p) => ({ label: String(p.name), value: fmtNs(Math.round(Number(p.value))), color: String(p.color) }))}
                />
              ) : null
            }
          />
          <Legend verticalAlign="top" height={28} wrapperStyle={{ fontSize: 12 }} />
          {stages.map((s, i) => (
            <Bar key={s} dataKey={s} name={s.replace('_', ' ')} stackId="stages" fill={PALETTE[i % PALETTE.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
