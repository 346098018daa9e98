// The x axes of the scaling page's device tabs: their label and number format. A plain module
// (not 'use client'), because the server-rendered points table formats with it too.

import type { DeviceAxis } from '@/lib/replay/sweep-axes.ts';

export const AXIS_X: Record<DeviceAxis, { label: string; format: (v: number) => string }> = {
  outstanding: {
    label: 'groups in flight per device, measured (log scale)',
    format: (v) => (v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2)),
  },
  sharing: { label: 'devices sharing each PASID (log scale)', format: (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2)) },
};
