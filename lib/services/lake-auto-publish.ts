// Publishing right after an ingest when PRITRACE_LAKE is set (CLI and server alike). The trace
// is already committed to the database by then, so a failed publish is reported beside the
// ingest result rather than undoing it; `pritrace publish` retries it.

import type { IngestResult } from './ingest.ts';
import type { Db } from '../db/instance.ts';
import { lakeDir } from '../db/lake/config.ts';
import { publishTrace, type PublishResult } from '../db/lake/publish.ts';

export type PublishedIngest = IngestResult & {
  lake?: Pick<PublishResult, 'trace' | 'host' | 'date' | 'replaced'> | { error: string };
};

export async function publishAfterIngest(db: Db, result: IngestResult): Promise<PublishedIngest> {
  const lake = lakeDir();
  if (!lake) return result;
  try {
    const p = await publishTrace(db, result.trace_id, { lake });
    return { ...result, lake: { trace: p.trace, host: p.host, date: p.date, replaced: p.replaced } };
  } catch (e) {
    const error = `ingested, but publishing to the lake ${lake} failed: ${(e as Error).message}`;
    return { ...result, warnings: [...result.warnings, error], lake: { error } };
  }
}
