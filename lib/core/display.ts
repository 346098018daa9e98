// How figures read for people, one convention for the pages, the reports and the CLI: a value
// that is not there is an em dash, a percentage has a space before its sign (SI style), and a
// change carries its sign. Durations are time.ts's formatDurationNs.

/** What a missing value reads as. */
export const NONE = '—';

/** A fraction as a percentage: 0.123 → "12.3 %". */
export function percentText(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return NONE;
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** A relative change as a signed percentage: 0.042 → "+4.2 %", −0.042 → "-4.2 %". */
export function signedPercentText(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return NONE;
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(digits)} %`;
}
