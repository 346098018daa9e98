// Annotations with a time range, as the shaded bands the time charts draw (ns since trace start).

import type { TimeBand } from '../_components/charts/latency-over-time-chart.tsx';

interface Ranged {
  annotation_id: number;
  start_offset_ns: number | null;
  end_offset_ns: number | null;
  author: string;
  text: string;
}

export function annotationBands(annotations: readonly Ranged[]): TimeBand[] {
  const bands: TimeBand[] = [];
  for (const a of annotations) {
    if (a.start_offset_ns === null || a.end_offset_ns === null) continue;
    const first = a.text.split('\n')[0] ?? '';
    bands.push({
      id: a.annotation_id,
      start_ns: a.start_offset_ns,
      end_ns: a.end_offset_ns,
      label: `#${a.annotation_id} ${first.length > 40 ? `${first.slice(0, 39)}…` : first}`,
    });
  }
  return bands;
}
