import type { ReactNode } from 'react';
import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import { CopyLinkButton } from '../../_components/postmortem/copy-link-button.tsx';
import { SaveViewButton } from '../../_components/postmortem/save-view.tsx';
import { TraceActions } from '../../_components/trace-actions.tsx';
import { TraceTabs } from '../../_components/trace-tabs.tsx';
import { traceIdFromParam, withDbOrNotFound } from '../../_data/db.ts';
import { fmtBytes, fmtCount, fmtNs } from '../../_lib/format.ts';
import { withoutControls } from '@/lib/core/errors.ts';

export const dynamic = 'force-dynamic';

export default async function TraceLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  const traceId = traceIdFromParam((await params).id);
  const h = await withDbOrNotFound((db) => traceHeader(db, traceId));
  return (
    <>
      <div className="page-head">
        <div>
          <h1 data-testid="trace-name">{withoutControls(h.name)}</h1>
          <div className="facts">
            <span>
              trace <b>#{h.trace_id}</b>
            </span>
            <span>
              format <b>{h.format}</b>
            </span>
            <span>
              <b>{fmtCount(h.events)}</b> events
            </span>
            <span>
              <b>{fmtCount(h.page_requests)}</b> requests / <b>{fmtCount(h.page_responses)}</b> responses
            </span>
            <span>
              span <b>{fmtNs(h.span_ns)}</b>
            </span>
            <span>
              <b>{fmtBytes(h.file_bytes)}</b> {h.source_file && h.source_file !== h.name ? `(${withoutControls(h.source_file)})` : ''}
            </span>
            <span>ingested {h.ingested_at} UTC</span>
          </div>
        </div>
      </div>
      <TraceTabs traceId={traceId} />
      {/* After the tabs in tab order: keyboard users reach the pages first. */}
      <div className="page-actions" style={{ margin: '-0.5rem 0 0.5rem' }}>
        <CopyLinkButton />
        <SaveViewButton />
        <TraceActions traceId={traceId} name={h.name} />
      </div>
      {children}
    </>
  );
}
