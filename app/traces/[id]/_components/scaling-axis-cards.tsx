// The scaling page's outstanding-groups and devices-per-PASID tabs, from the trace's cached axis
// sweep: one chart per figure against the measured x, and a table of the points (knob, devices,
// what was measured) with the device's p99 per model × structure.

import { axisScalingData } from '@/lib/queries/charts/scaling-axes.ts';
import type { DeviceAxis } from '@/lib/replay/sweep-axes.ts';
import { AxisChart, type AxisMetric } from '../../../_components/charts/axis-chart.tsx';
import { AXIS_X } from '../../../_components/charts/axis-x.ts';
import { Empty } from '../../../_components/empty.tsx';
import { withDb } from '../../../_data/db.ts';
import { fmtNs } from '../../../_lib/format.ts';

export async function AxisChartCard({ traceId, axis, metric }: { traceId: number; axis: DeviceAxis; metric: AxisMetric }) {
  const data = await withDb((db) => axisScalingData(db, traceId, axis));
  if (!data || data.series.length === 0) return <Empty>No sweep points on this axis.</Empty>;
  return <AxisChart series={data.series} metric={metric} axis={axis} traceX={data.trace_x} testId={`chart-axis-${axis}-${metric}`} />;
}

function knobLabel(axis: DeviceAxis, knob: number): string {
  if (axis === 'sharing') return `${knob} per IOMMU`;
  return knob < 1 ? `1 per ${Math.round(1 / knob)} recorded` : knob === 1 ? 'as recorded' : `${knob} per recorded`;
}

/** Every point of the axis: how it was made, what the replay measured, and the device's p99 per series. */
export async function AxisPointsTable({ traceId, axis }: { traceId: number; axis: DeviceAxis }) {
  const data = await withDb((db) => axisScalingData(db, traceId, axis));
  if (!data || data.series.length === 0) return <Empty>No sweep points on this axis.</Empty>;
  const knobs = [...new Set(data.series.flatMap((s) => s.points.map((p) => p.knob)))].sort((a, b) => (axis === 'outstanding' ? b - a : a - b));
  // The measured columns come from the kernel's own structure (domain-wide xarray) when present.
  const ref = data.series.find((s) => s.model === 'domain-wide' && s.structure === 'xarray') ?? data.series[0]!;
  return (
    <>
      {/* Above the table, not its caption: a caption is as wide as the table and scrolled out of the card with it at 1024 px. */}
      <p id={`axis-points-${axis}-about`} className="muted" style={{ margin: '0 0 4px' }}>
        Every point, mean over seeds {data.seeds.join(', ')}; in flight per device measured in the {ref.key} replay. This trace as recorded:{' '}
        {data.trace_x === null ? '—' : AXIS_X[axis].format(data.trace_x)} {axis === 'outstanding' ? 'groups in flight per device' : 'devices per PASID'}.
      </p>
      <div className="table-wrap">
        <table data-testid={`axis-points-${axis}`} aria-describedby={`axis-points-${axis}-about`}>
          <thead>
            <tr>
              <th scope="col">devices</th>
              <th scope="col" className="num">
                devices with groups
              </th>
              <th scope="col" className="num">
                in flight per device
              </th>
              <th scope="col" className="num">
                devices per PASID
              </th>
              {data.series.map((s) => (
                <th key={s.key} scope="col" className="num">
                  {s.key}: device p99
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {knobs.map((k) => {
              const at = ref.points.find((p) => p.knob === k);
              return (
                <tr key={k} data-knob={k} data-x={at?.x ?? ''}>
                  <th scope="row" style={{ fontWeight: 400 }}>
                    {knobLabel(axis, k)}
                  </th>
                  <td className="num">{at?.devices ?? '—'}</td>
                  <td className="num">{at?.outstanding === null || at === undefined ? '—' : AXIS_X.outstanding.format(at.outstanding)}</td>
                  <td className="num">{at ? AXIS_X.sharing.format(at.devices_per_pasid) : '—'}</td>
                  {data.series.map((s) => {
                    const p = s.points.find((q) => q.knob === k);
                    return (
                      <td key={s.key} className="num">
                        {p?.device_p99_ns == null ? '—' : fmtNs(Math.round(p.device_p99_ns))}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
