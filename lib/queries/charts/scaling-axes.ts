// The scaling page's outstanding-groups and devices-per-PASID axes: the trace's cached axis
// sweep (services/sweeps.ts, read through queries/sweep-cache.ts) reshaped into one series per model × structure, each point at its
// measured x (groups in flight per device, measured in the replay; or devices per PASID), with
// what the device waits (p50 and p99 with the range one more seed lands in), drops and drain
// utilisation; and the trace's own position from its recording. It reads the saved sweep
// row itself (queries only read) and never starts a sweep: null until the sweep has been run.

import type { Db } from '../../db/instance.ts';
import type { AxisSweepResult, DeviceAxis } from '../../replay/sweep-axes.ts';
import { defaultAxisKey, savedSweepRow, sweepComputedAt } from '../sweep-cache.ts';
import { tracePosition } from '../trace-position.ts';

export interface AxisChartPoint {
  /** The x value: measured groups in flight per device (outstanding) or devices per PASID (sharing). */
  x: number;
  knob: number;
  devices: number;
  outstanding: number | null;
  outstanding_lo: number | null;
  outstanding_hi: number | null;
  devices_per_pasid: number;
  device_p50_ns: number | null;
  device_p50_lo: number | null;
  device_p50_hi: number | null;
  device_p99_ns: number | null;
  device_p99_lo: number | null;
  device_p99_hi: number | null;
  /** Report → response p99, mean over seeds. */
  p99_ns: number | null;
  drops: number;
  drops_lo: number | null;
  drops_hi: number | null;
  drain_utilisation: number | null;
  sampled_groups: number;
}

export interface AxisSeries {
  key: string;
  model: string;
  structure: string;
  hypothetical: boolean;
  points: AxisChartPoint[];
}

export interface AxisScalingData {
  axis: DeviceAxis;
  seeds: number[];
  method: string;
  note: string;
  computed_at: string;
  seconds: number;
  groups: number;
  /** The trace's own x, from its recording (null without answered groups). */
  trace_x: number | null;
  series: AxisSeries[];
}

export function axisSweepComputedAt(db: Db, traceId: number, axis: DeviceAxis): Promise<string | null> {
  return sweepComputedAt(db, traceId, defaultAxisKey(axis));
}

export async function axisScalingData(db: Db, traceId: number, axis: DeviceAxis): Promise<AxisScalingData | null> {
  const row = await savedSweepRow(db, traceId, defaultAxisKey(axis));
  if (!row) return null;
  const sweep = JSON.parse(row.result) as AxisSweepResult;
  const position = await tracePosition(db, traceId);
  const byKey = new Map<string, AxisSeries>();
  for (const p of sweep.points) {
    const key = `${p.model} / ${p.structure}${p.hypothetical ? ' (hypothetical)' : ''}`;
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { key, model: p.model, structure: p.structure, hypothetical: p.hypothetical, points: [] }));
    const iv = p.intervals;
    const out = p.outstanding_per_device;
    const x = axis === 'outstanding' ? out?.value : p.devices_per_pasid;
    // A point with no answered group has no in-flight measure: it cannot be placed on the x axis.
    if (x === undefined) continue;
    s.points.push({
      x,
      knob: p.knob,
      devices: p.devices,
      outstanding: out?.value ?? null,
      outstanding_lo: out?.lo ?? null,
      outstanding_hi: out?.hi ?? null,
      devices_per_pasid: p.devices_per_pasid,
      device_p50_ns: iv.device_latency_ns.p50?.value ?? null,
      device_p50_lo: iv.device_latency_ns.p50?.lo ?? null,
      device_p50_hi: iv.device_latency_ns.p50?.hi ?? null,
      device_p99_ns: iv.device_latency_ns.p99?.value ?? null,
      device_p99_lo: iv.device_latency_ns.p99?.lo ?? null,
      device_p99_hi: iv.device_latency_ns.p99?.hi ?? null,
      p99_ns: iv.latency_ns.p99?.value ?? null,
      drops: iv.drops?.value ?? p.drops,
      drops_lo: iv.drops?.lo ?? null,
      drops_hi: iv.drops?.hi ?? null,
      drain_utilisation: iv.drain_utilisation?.value ?? null,
      sampled_groups: p.sampled_groups,
    });
  }
  for (const s of byKey.values()) s.points.sort((a, b) => a.x - b.x);
  return {
    axis,
    seeds: sweep.seeds,
    method: sweep.method,
    note: sweep.note,
    computed_at: row.at,
    seconds: row.seconds,
    groups: sweep.groups,
    trace_x: axis === 'outstanding' ? position.outstanding_per_device : position.devices_per_pasid,
    series: [...byKey.values()],
  };
}
