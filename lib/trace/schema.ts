// The normalised event every format decodes to, and the names shared by formats, store and
// queries. Text formats produce these columns in DuckDB SQL (see formats/ftrace/*), the
// simulator formats produce `TraceEvent` objects in TypeScript; both land in `events`.

export const EVENT_KINDS = ['page_request', 'page_response', 'unrecoverable_fault', 'context', 'lost', 'other'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Response codes after normalisation (enum iommu_page_response_code). */
export const RESPONSE_CODE_NAMES = ['success', 'invalid', 'failure'] as const;

/** Source formats a trace can have; `ftrace` covers the `trace` and `trace_pipe` files, `trace-dat` trace-cmd's binary trace.dat. */
export const TRACE_FORMATS = ['ftrace', 'trace-cmd', 'trace-dat', 'sim-csv', 'sim-jsonl'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** What pairing (DESIGN §4a) makes of each fault_groups row. */
export const GROUP_STATUSES = ['answered', 'unanswered', 'incomplete', 'orphan_response', 'stop_marker'] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/**
 * The groups whose last page was seen, answered or not: what "groups" counts and latency
 * percentiles are about everywhere (pages, CLI, report, the traces table's summary columns).
 */
export const COMPLETED_GROUP_SQL = "status IN ('answered', 'unanswered')";

export const PASID_LIMIT = 1 << 20;
export const PRGI_LIMIT = 1 << 9;

export interface TraceEvent {
  line: number;
  tsNs: bigint | null;
  cpu: number | null;
  task: string | null;
  pid: number | null;
  kind: EventKind;
  event: string | null;
  iommu: string | null;
  device: string | null;
  rid: number | null;
  pasid: number | null;
  prgi: number | null;
  last: boolean | null;
  addr: bigint | null;
  perm: string | null;
  code: number | null;
  seq: bigint | null;
  detail: string | null;
}
