// How a saved replay run's latency figure is shown wherever it is shown (the replay page, the
// report page and the Markdown/HTML export). No runtime imports: client components format with it.

import type { RunRow } from './replay-comparison.ts';

/**
 * A run's figure as the replay page and the report both show it: the mean over the run's seeds
 * and the larger half of the range where one more seed lands (the range may be cut at 0 below),
 * both rounded to whole ns; for a run saved before runs kept their seeds, its one value and no spread.
 */
export function runFigure(
  r: RunRow,
  of: 'latency_ns' | 'device_latency_ns',
  p: 'p50' | 'p90' | 'p99' | 'max',
): { value: number | null; spread: number | null } {
  const iv = r.intervals?.[of][p] ?? null;
  if (!iv) return { value: r[of][p], spread: null };
  return { value: Math.round(iv.value), spread: Math.round(Math.max(iv.hi - iv.value, iv.value - iv.lo)) };
}
