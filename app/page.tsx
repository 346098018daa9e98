import { Suspense } from 'react';
import { maxUploadBytes } from '@/lib/services/ingest-jobs.ts';
import { Card } from './_components/card.tsx';
import { TracesTable } from './_components/home/traces-table.tsx';
import { UploadPanel } from './_components/home/upload-panel.tsx';
import { TableSkeleton } from './_components/skeleton.tsx';
import { configuredLake } from './_data/lake.ts';

export const dynamic = 'force-dynamic';

export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const lake = configuredLake();
  // Set by a trace page's Delete: a one-line confirmation of what went.
  const deleted = (await searchParams).deleted;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Traces</h1>
          <p className="muted" style={{ margin: 0 }}>
            PCIe PRI page requests and responses: ftrace / trace-cmd text (Intel VT-d, vendor dev_fault, io_page_fault) and simulator CSV / JSON Lines, plain or
            .gz.
          </p>
        </div>
      </div>
      <div className="grid">
        {typeof deleted === 'string' && deleted ? (
          <p
            className="notice ok span-12"
            role="status"
            data-testid="deleted-notice"
            style={{ margin: 0, padding: '0.6rem 1rem', textAlign: 'left', overflowWrap: 'anywhere' }}
          >
            Deleted trace “{deleted.slice(0, 200)}” and everything stored with it.
          </p>
        ) : null}
        {lake?.only ? null : (
          <Card title="Upload a trace" span={12}>
            <UploadPanel maxBytes={maxUploadBytes()} />
          </Card>
        )}
        <Card title={lake?.only ? 'Traces in the lake (read-only)' : 'Traces in the database'} span={12}>
          <Suspense fallback={<TableSkeleton rows={3} />}>
            <TracesTable />
          </Suspense>
        </Card>
      </div>
    </>
  );
}
