// GET the progress of an upload's ingest (the job id the uploader passed as `?job=`).

import { getJob, isValidJobId } from '@/lib/services/ingest-jobs.ts';
import type { IngestJobStatus } from '../../_contract.ts';
import { badRequest, json } from '../../_http.ts';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params;
  if (!isValidJobId(id)) return badRequest('invalid job id');
  const job = getJob(id);
  return job ? json(job satisfies IngestJobStatus) : json({ error: `no ingest job ${id}` }, 404);
}
