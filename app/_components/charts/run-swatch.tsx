// A run's colour beside its id in a table, so a row and its curve read as one run.

import { runColor } from '@/lib/core/series-colors.ts';

export function RunSwatch({ runId }: { runId: number }) {
  const color = runColor(runId);
  return <span className="run-swatch" data-testid="run-swatch" data-run-id={runId} data-color={color} style={{ background: color }} aria-hidden="true" />;
}
