// Event rate over the trace's time, one count per event kind per bucket (stacked on the
// overview page), bucketed in SQL in the trace's shared bucket width (time-buckets.ts). Lost-event
// markers carry no timestamp; the pairing health card lists them. Times are ns since the
// trace's first event. Given a time range, only that window is counted, in buckets of the
// window (a zoom).

import type { Db } from '../../db/instance.ts';
import { count } from './convert.ts';
import type { TimeRange } from './latency-filter.ts';
import { traceTimeBuckets } from './time-buckets.ts';

export const TIMED_EVENT_KINDS = ['page_request', 'page_response', 'unrecoverable_fault', 'context', 'other'] as const;
export type TimedEventKind = (typeof TIMED_EVENT_KINDS)[number];

export type EventBucket = { t_ns: number } & Record<TimedEventKind, number>;

export interface EventsOverTime {
  bucket_ns: number;
  /** The whole trace's span, ns (the time axis' limit when zooming). */
  extent_ns: number;
  buckets: EventBucket[];
  /** Kinds with at least one event, in TIMED_EVENT_KINDS order (what the legend lists). */
  kinds: TimedEventKind[];
}

export async function eventsOverTime(db: Db, traceId: number, range: TimeRange | null = null): Promise<EventsOverTime> {
  const t = await traceTimeBuckets(db, traceId, range);
  if (!t) return { bucket_ns: 0, extent_ns: 0, buckets: [], kinds: [] };
  const start = t.origin_ns + t.from_ns;
  const end = t.origin_ns + t.to_ns;
  const width = t.width_ns;
  const rows = await db.all<Record<string, unknown>>(
    `SELECT (ts_ns - CAST($2 AS BIGINT)) // CAST($3 AS BIGINT) AS b,
       ${TIMED_EVENT_KINDS.map((k) => `count(*) FILTER (kind = '${k}') AS ${k}`).join(', ')}
     FROM events
     WHERE trace_id = $1 AND ts_ns >= $2 AND ts_ns < $4
     GROUP BY b ORDER BY b`,
    [traceId, start, width, end],
  );
  const w = Number(width);
  const seen = new Set<TimedEventKind>();
  // Empty buckets are filled so a quiet stretch shows as zero rather than being bridged.
  const byBucket = new Map<number, Record<string, unknown>>(rows.map((r) => [count(r.b), r]));
  const last = rows.length ? count(rows[rows.length - 1]!.b) : -1;
  const buckets: EventBucket[] = [];
  for (let b = 0; b <= last; b++) {
    const r = byBucket.get(b);
    const point = { t_ns: Number(t.from_ns) + b * w } as EventBucket;
    for (const k of TIMED_EVENT_KINDS) {
      const n = r ? count(r[k]) : 0;
      point[k] = n;
      if (n > 0) seen.add(k);
    }
    buckets.push(point);
  }
  return { bucket_ns: w, extent_ns: Number(t.extent_ns), buckets, kinds: TIMED_EVENT_KINDS.filter((k) => seen.has(k)) };
}
