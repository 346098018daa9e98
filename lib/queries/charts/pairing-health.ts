// How well a trace's requests and responses paired (DESIGN §4a), for the overview page:
// group statuses, response codes of answered groups and of orphan responses, lost-event
// markers (the gaps where the tracer dropped events, by line and CPU), and bad lines with the
// first few located warnings the ingest kept.

import type { Db } from '../../db/instance.ts';
import { count, num } from './convert.ts';

export interface LostGap {
  line: number;
  cpu: number | null;
  /** Events the tracer says it dropped there (null when the marker gives no count). */
  lost: number | null;
}

export interface PairingHealth {
  groups: { answered: number; unanswered: number; incomplete: number; orphan_responses: number; stop_markers: number };
  /** Answered groups by normalised response code. */
  codes: { success: number; invalid: number; failure: number; unknown: number };
  /** Orphan responses by code: a burst of Invalid orphans points at requests rejected before tracing. */
  orphan_codes: { success: number; invalid: number; failure: number; unknown: number };
  lost_markers: number;
  lost_events: number;
  /** First markers in file order (at most `maxGaps`). */
  lost_gaps: LostGap[];
  bad_lines: number;
  lines: number;
  /** "file:line:column: reason" of the first bad lines, as the ingest recorded them. */
  warnings: string[];
}

export async function pairingHealth(db: Db, traceId: number, maxGaps = 20): Promise<PairingHealth> {
  const [g] = await db.all<Record<string, unknown>>(
    `SELECT count(*) FILTER (status = 'answered') AS answered,
       count(*) FILTER (status = 'unanswered') AS unanswered,
       count(*) FILTER (status = 'incomplete') AS incomplete,
       count(*) FILTER (status = 'orphan_response') AS orphan_responses,
       count(*) FILTER (status = 'stop_marker') AS stop_markers,
       count(*) FILTER (status = 'answered' AND code = 0) AS a_success,
       count(*) FILTER (status = 'answered' AND code = 1) AS a_invalid,
       count(*) FILTER (status = 'answered' AND code = 2) AS a_failure,
       count(*) FILTER (status = 'answered' AND (code IS NULL OR code NOT IN (0, 1, 2))) AS a_unknown,
       count(*) FILTER (status = 'orphan_response' AND code = 0) AS o_success,
       count(*) FILTER (status = 'orphan_response' AND code = 1) AS o_invalid,
       count(*) FILTER (status = 'orphan_response' AND code = 2) AS o_failure,
       count(*) FILTER (status = 'orphan_response' AND (code IS NULL OR code NOT IN (0, 1, 2))) AS o_unknown
     FROM fault_groups WHERE trace_id = $1`,
    [traceId],
  );
  const [t] = await db.all<Record<string, unknown>>(
    `SELECT lost_markers, lost_events, bad_lines, lines, json_extract(meta, '$.warnings') AS warnings
     FROM traces WHERE trace_id = $1`,
    [traceId],
  );
  const gaps = await db.all<Record<string, unknown>>(
    `SELECT line, cpu, TRY_CAST(detail AS BIGINT) AS lost FROM events
     WHERE trace_id = $1 AND kind = 'lost' ORDER BY line LIMIT $2`,
    [traceId, maxGaps],
  );
  return {
    groups: {
      answered: count(g!.answered),
      unanswered: count(g!.unanswered),
      incomplete: count(g!.incomplete),
      orphan_responses: count(g!.orphan_responses),
      stop_markers: count(g!.stop_markers),
    },
    codes: { success: count(g!.a_success), invalid: count(g!.a_invalid), failure: count(g!.a_failure), unknown: count(g!.a_unknown) },
    orphan_codes: { success: count(g!.o_success), invalid: count(g!.o_invalid), failure: count(g!.o_failure), unknown: count(g!.o_unknown) },
    lost_markers: count(t?.lost_markers),
    lost_events: count(t?.lost_events),
    lost_gaps: gaps.map((r) => ({ line: count(r.line), cpu: num(r.cpu), lost: num(r.lost) })),
    bad_lines: count(t?.bad_lines),
    lines: count(t?.lines),
    warnings: parseWarnings(t?.warnings),
  };
}

function parseWarnings(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v;
  return Array.isArray(parsed) ? parsed.map(String) : [];
}
