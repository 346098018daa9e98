// The one time-bucket width of a trace (or of a zoomed window of it), shared by every chart
// that buckets time — the Overview's event rate, the Latency page's latency over time, the
// annotations page and the report (web, HTML, Markdown, chart CSV) — so a trace reads in the
// same buckets on every page and a "worst moment" of the report is a bucket of the Latency page.
// The width depends only on the window's span and the trace's event count, never on the
// page's filters: about 2·√events buckets (between 10 and MAX_TIME_BUCKETS; a small trace in a
// thousand buckets would be a comb of single events), rounded up to 1/2/5 × 10^k ns.

import { NotFoundError } from '../../core/errors.ts';
import type { Db } from '../../db/instance.ts';
import { bucketCount, count, niceWidthNs } from './convert.ts';
import type { TimeRange } from './latency-filter.ts';

/** At most this many buckets leave the database per chart, however long the trace. */
export const MAX_TIME_BUCKETS = 1000;

/** The bucket width for a window of spanNs of a trace holding traceEvents events. */
export function timeBucketNs(spanNs: bigint, traceEvents: number): bigint {
  return niceWidthNs(spanNs, bucketCount(traceEvents, MAX_TIME_BUCKETS));
}

export interface TimeBuckets {
  /** The trace's first timestamp, absolute ns: every chart time is relative to it. */
  origin_ns: bigint;
  /** The window bucketed, ns since the origin, [from, to). */
  from_ns: bigint;
  to_ns: bigint;
  width_ns: bigint;
  /** The whole trace's span, [0, extent) ns: where a zoom may go. */
  extent_ns: bigint;
}

/** The buckets of the whole trace, or of range when zoomed; null for a trace without timestamps. */
export async function traceTimeBuckets(db: Db, traceId: number, range: TimeRange | null = null): Promise<TimeBuckets | null> {
  const [r] = await db.all<{ first_ts_ns: bigint | null; last_ts_ns: bigint | null; events: bigint | null }>(
    'SELECT first_ts_ns, last_ts_ns, events FROM traces WHERE trace_id = $1',
    [traceId],
  );
  if (!r) throw new NotFoundError(`no trace with id ${traceId}`);
  if (r.first_ts_ns === null || r.last_ts_ns === null) return null;
  const extent = r.last_ts_ns - r.first_ts_ns + 1n;
  const from = range?.from_ns ?? 0n;
  const to = range ? range.to_ns : extent;
  return { origin_ns: r.first_ts_ns, from_ns: from, to_ns: to, width_ns: timeBucketNs(to - from, count(r.events)), extent_ns: extent };
}
