// The colours of the series drawn on more than one page — a replay run, the recorded latency it
// is compared with, and the per-bucket latency percentiles — wherever they are drawn: the
// replay page, the report page, Compare and the self-contained HTML export. A run's colour
// follows the run's id, not its position in a list, so run 7 keeps its colour whichever runs
// are shown beside it. The palette is Okabe & Ito's colour-blind-safe set without its yellow
// (too faint on white), mid-toned so each line reads on the light and the dark theme alike.

export const RECORDED_COLOR = '#6b7280';

export const RUN_COLORS = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9'] as const;

/** Run ids start at 1; ids that differ by RUN_COLORS.length share a colour (their labels differ). */
export function runColor(runId: number): string {
  if (!Number.isSafeInteger(runId)) throw new RangeError(`a run id is a whole number, got ${runId}`);
  const n = RUN_COLORS.length;
  return RUN_COLORS[(((runId - 1) % n) + n) % n]!;
}

/** Latency over time: each percentile line in one colour on the web charts and in the HTML export. */
export const PERCENTILE_COLORS = { p50: '#2457c5', p99: '#d9480f', max: '#868e96' } as const;
