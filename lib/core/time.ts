// Time in PRI Trace Lab is integer nanoseconds, as bigint wherever a 64-bit timestamp could
// lose precision through Number. The unit constants serve the simulator formats' time
// columns; the duration format serves the CLI, the pages and the report.

export const NS_PER_US = 1_000n;
export const NS_PER_S = 1_000_000_000n;

/** Formats a duration in ns for people: picks ns, µs, ms or s. */
export function formatDurationNs(ns: number | bigint): string {
  const v = Number(ns);
  const a = Math.abs(v);
  if (a < 1_000) return `${v} ns`;
  if (a < 1_000_000) return `${trim(v / 1_000)} µs`;
  if (a < 1_000_000_000) return `${trim(v / 1_000_000)} ms`;
  return `${trim(v / 1_000_000_000)} s`;
}

function trim(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
