// The lake's mergeable latency histogram: fixed log buckets, 16 per decade from 100 ns to 10 s,
// identical for every trace, so counts from any traces add up and a percentile over a fleet is
// a running sum over buckets — integer arithmetic any SQL engine has. Bucket edges are integer
// nanoseconds stored beside the counts, so readers never recompute a logarithm.

export const BUCKETS_PER_DECADE = 16;
export const HIST_MIN_NS = 100;
export const HIST_MAX_NS = 10_000_000_000;
const DECADES = Math.round(Math.log10(HIST_MAX_NS / HIST_MIN_NS));
/** Buckets between HIST_MIN_NS and HIST_MAX_NS; bucket 0 below and LOG_BUCKETS + 1 above them. */
export const LOG_BUCKETS = DECADES * BUCKETS_PER_DECADE;

export interface HistBucket {
  bucket: number;
  /** Smallest latency in the bucket, ns (inclusive). */
  lo_ns: number;
  /** First latency past the bucket, ns (exclusive). */
  hi_ns: number;
  /** Geometric middle, ns: the value a percentile falling in this bucket is reported as. */
  mid_ns: number;
}

function edge(i: number): number {
  return Math.round(HIST_MIN_NS * 10 ** (i / BUCKETS_PER_DECADE));
}

/**
 * Every bucket: 0 holds [0, 100 ns), 1 … LOG_BUCKETS the log buckets, LOG_BUCKETS + 1 holds
 * [10 s, 2^63) (its middle is its lower edge: nothing meaningful lies beyond).
 */
export function histBuckets(): HistBucket[] {
  const out: HistBucket[] = [{ bucket: 0, lo_ns: 0, hi_ns: HIST_MIN_NS, mid_ns: HIST_MIN_NS / 2 }];
  for (let i = 0; i < LOG_BUCKETS; i++) {
    const lo = edge(i);
    const hi = edge(i + 1);
    out.push({ bucket: i + 1, lo_ns: lo, hi_ns: hi, mid_ns: Math.round(Math.sqrt(lo * hi)) });
  }
  out.push({ bucket: LOG_BUCKETS + 1, lo_ns: HIST_MAX_NS, hi_ns: Number.MAX_SAFE_INTEGER, mid_ns: HIST_MAX_NS });
  return out;
}

/** The bucket of a latency in ns (the reference the SQL bucketing is tested against). */
export function bucketOf(latencyNs: number, buckets: readonly HistBucket[] = histBuckets()): number {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (buckets[mid]!.lo_ns <= latencyNs) lo = mid;
    else hi = mid - 1;
  }
  return buckets[lo]!.bucket;
}
