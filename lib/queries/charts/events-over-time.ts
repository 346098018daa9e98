// Event rate over the trace's time, one count per event kind per bucket (stacked on the
// overview page), bucketed in SQL into at most maxBuckets (fewer for small traces). Lost-event
// markers carry no timestamp; the pairing health card lists them. Times are ns since the
// trace's first event.

import type { Db } from '../../db/instance.ts';
import { bucketCount, count, niceWidthNs } from './convert.ts';
import { traceOrigin } from './trace-header.ts';

export const TIMED_EVENT_KINDS = ['page_request', 'page_response', 'unrecoverable_fault', 'context', 'other'] as const;
export type TimedEventKind = (typeof TIMED_EVENT_KINDS)[number];

export type EventBucket = { t_ns: number } & Record<TimedEventKind, number>;

export interface EventsOverTime {
  bucket_ns: number;
  buckets: EventBucket[];
  /** Kinds with at least one event, in TIMED_EVENT_KINDS order (what the legend lists). */
  kinds: TimedEventKind[];
}

export async function eventsOverTime(db: Db, traceId: number, maxBuckets = 400): Promise<EventsOverTime> {
  const origin = await traceOrigin(db, traceId);
  if (origin.first_ts_ns === null || origin.last_ts_ns === null) return { bucket_ns: 0, buckets: [], kinds: [] };
  const [n] = await db.all<{ events: bigint | null }>('SELECT events FROM traces WHERE trace_id = $1', [traceId]);
  const width = niceWidthNs(origin.last_ts_ns - origin.first_ts_ns + 1n, bucketCount(count(n?.events), maxBuckets));
  const rows = await db.all<Record<string, unknown>>(
    `SELECT (ts_ns - CAST($2 AS BIGINT)) // CAST($3 AS BIGINT) AS b,
       ${TIMED_EVENT_KINDS.map((k) => `count(*) FILTER (kind = '${k}') AS ${k}`).join(', ')}
     FROM events
     WHERE trace_id = $1 AND ts_ns IS NOT NULL
     GROUP BY b ORDER BY b`,
    [traceId, origin.first_ts_ns, width],
  );
  const w = Number(width);
  const seen = new Set<TimedEventKind>();
  // Empty buckets are filled so a quiet stretch shows as zero rather than being bridged.
  const byBucket = new Map<number, Record<string, unknown>>(rows.map((r) => [count(r.b), r]));
  const last = rows.length ? count(rows[rows.length - 1]!.b) : -1;
  const buckets: EventBucket[] = [];
  for (let b = 0; b <= last; b++) {
    const r = byBucket.get(b);
    const point = { t_ns: b * w } as EventBucket;
    for (const k of TIMED_EVENT_KINDS) {
      const n = r ? count(r[k]) : 0;
      point[k] = n;
      if (n > 0) seen.add(k);
    }
    buckets.push(point);
  }
  return { bucket_ns: w, buckets, kinds: TIMED_EVENT_KINDS.filter((k) => seen.has(k)) };
}
