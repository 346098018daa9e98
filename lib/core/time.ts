// Time in PRI Trace Lab is integer nanoseconds held as bigint from parse to the chart edge,
// so that 64-bit timestamps never lose precision through Number.
// Called by the formats, the queries and the replay engine.

export type Nanos = bigint & { readonly __unit?: 'ns' };

export const NS_PER_US = 1_000n;
export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;

/** Parses "seconds.fraction" (ftrace's `%5lu.%06lu`, or more digits) into ns without floats. */
export function parseSecondsToNs(text: string): Nanos | null {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return null;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return BigInt(m[1]!) * NS_PER_S + BigInt(frac);
}

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
