// The HTTP contract: the JSON the route handlers answer and the bodies they take, as types both
// sides import — route handlers directly, client components with `import type`, so nothing of
// the server reaches a browser bundle. A field changed here is a compile error on both sides.

import type { SourceLocation } from '@/lib/core/errors.ts';
import type { Annotation } from '@/lib/db/annotations.ts';
import type { SameFileTrace } from '@/lib/db/trace-admin.ts';
import type { TraceSummary } from '@/lib/queries/traces.ts';
import type { ConsoleResult } from '@/lib/services/sql-console.ts';
import type { IngestJob } from '@/lib/services/ingest-jobs.ts';
import type { PublishedIngest } from '@/lib/services/lake-auto-publish.ts';

/** Every 4xx/5xx answer (errorResponse in _http.ts): one sentence, plus what its kind adds. */
export interface ApiError {
  error: string;
  /** The input field at fault (400 from an annotation, a saved view or a rename). */
  field?: string;
  reason?: string;
  /** The replay parameter at fault (400). */
  parameter?: string;
  /** The cap that was passed (413). */
  limit_bytes?: number;
}

/** 422: a trace rejected whole, with where its first bad lines are. */
export interface RejectedTraceError extends ApiError {
  file: string;
  reason: string;
  locations: (SourceLocation & { reason: string })[];
}

/** 201 from POST /api/traces: the stored trace's ingest summary (and its lake publish, if any). */
export type UploadedTrace = PublishedIngest;

/** GET /api/ingest-jobs/<job>: an upload's progress while POST /api/traces?job=<job> runs. */
export type IngestJobStatus = IngestJob;

/**
 * POST /api/traces/<id>/annotations and PATCH …/annotations/<n> (parseAnnotationBody in
 * _annotations.ts): times since the trace's first event, exact integer ns as decimal strings;
 * absent fields keep their value on PATCH, null clears them.
 */
export interface AnnotationBody {
  author?: string;
  text?: string;
  start_offset_ns?: string | null;
  end_offset_ns?: string | null;
  /** Instead of the offsets: times on the trace clock (decimal strings or safe integers). */
  start_ns?: string | number | null;
  end_ns?: string | number | null;
  device?: string | null;
  /** Decimal or 0x hex. */
  pasid?: string | number | null;
}

/** GET /api/traces/<id>: the trace's listing row and the other traces stored from the same file. */
export type TraceWithSameFile = TraceSummary & { same_file: SameFileTrace[] };

/** 200 from POST /api/sql: one statement's result, capped. */
export type SqlResult = ConsoleResult;

/** A stored note as the annotation pages hand it to the editor. */
export type EditableAnnotation = Pick<Annotation, 'annotation_id' | 'start_offset_ns' | 'end_offset_ns' | 'device' | 'pasid' | 'author' | 'text'>;
