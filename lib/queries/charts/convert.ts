// Where database values become JSON-safe numbers for the charts, on purpose and in one place.
// DuckDB hands BIGINT back as bigint; chart values are ns durations or times relative to the
// trace start, far below 2^53, so Number is exact for them. Absolute trace timestamps may be
// above 2^53 (simulator traces start there), which is why every chart time is relative.

/** A nullable numeric cell as number | null: NULL stays null, never a silent 0. */
export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A count or other NOT NULL numeric cell. */
export function count(v: unknown): number {
  return Number(v ?? 0);
}

/**
 * How many time buckets to use for n items: about 2·√n, between 10 and maxBuckets. A small
 * trace in 2000 buckets is a comb of single events; a large one still gets the full detail.
 */
export function bucketCount(n: number, maxBuckets: number): number {
  return Math.max(1, Math.min(maxBuckets, Math.max(10, Math.ceil(2 * Math.sqrt(n)))));
}

/**
 * Rounds a bucket width (ns) up to 1, 2 or 5 × 10^k so bucket edges read well on an axis.
 * bigint in and out: trace spans can exceed 2^53 ns in principle.
 */
export function niceWidthNs(span: bigint, maxBuckets: number): bigint {
  if (maxBuckets < 1) throw new RangeError(`maxBuckets must be ≥ 1, got ${maxBuckets}`);
  const raw = span <= 0n ? 1n : (span + BigInt(maxBuckets) - 1n) / BigInt(maxBuckets);
  let scale = 1n;
  for (;;) {
    for (const m of [1n, 2n, 5n]) if (m * scale >= raw) return m * scale;
    scale *= 10n;
  }
}
