// POST: load the bundled sample trace (the empty home page offers it). No input is taken:
// the file is fixed, so nothing the client sends reaches a path.

import { ingestBundledSample } from '@/lib/services/ingest-jobs.ts';
import { resolveDbPath } from '@/lib/db/path.ts';
import { errorResponse, json } from '../_http.ts';

export const dynamic = 'force-dynamic';

export async function POST(): Promise<Response> {
  try {
    const result = await ingestBundledSample(resolveDbPath());
    return json(result, 201, { location: `/traces/${result.trace_id}` });
  } catch (e) {
    return errorResponse(e);
  }
}
