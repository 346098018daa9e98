// A trace's annotations: the events-over-time and latency-over-time charts with every ranged
// note drawn as a band, the form to add one, and the list in time order with edit and delete.

import Link from 'next/link';
import { listAnnotations } from '@/lib/db/annotations.ts';
import { annotationScope } from '@/lib/postmortem/format.ts';
import { eventsOverTime } from '@/lib/queries/charts/events-over-time.ts';
import { latencyOverTime } from '@/lib/queries/charts/latency-over-time.ts';
import { Card } from '../../../_components/card.tsx';
import { EventsOverTimeChart } from '../../../_components/charts/events-over-time-chart.tsx';
import { LatencyOverTimeChart } from '../../../_components/charts/latency-over-time-chart.tsx';
import { Empty } from '../../../_components/empty.tsx';
import { AnnotationControls, AnnotationForm } from '../../../_components/postmortem/annotation-editor.tsx';
import { traceIdFromParam, withDbOrNotFound } from '../../../_data/db.ts';
import { latencyFilterProblems, parseTimeRange, type SearchParams } from '../../../_data/latency-filter.ts';
import { ParamNotice } from '../../../_components/param-notice.tsx';
import { annotationBands } from '../../../_lib/annotation-bands.ts';
import { fmtNs } from '../../../_lib/format.ts';
import '../report/report.css';
import { withoutControls } from '@/lib/core/errors.ts';

export const dynamic = 'force-dynamic';

export default async function AnnotationsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const traceId = traceIdFromParam((await params).id);
  const sp = await searchParams;
  const range = parseTimeRange(sp);
  const zoom: [number, number] | undefined = range ? [Number(range.from_ns), Number(range.to_ns)] : undefined;
  const { notes, events, latency } = await withDbOrNotFound(async (db) => ({
    notes: await listAnnotations(db, traceId),
    events: await eventsOverTime(db, traceId, range),
    latency: await latencyOverTime(db, traceId, { range }),
  }));
  const plain = notes.map((a) => ({
    ...a,
    start_ns: a.start_ns === null ? null : a.start_ns.toString(),
    end_ns: a.end_ns === null ? null : a.end_ns.toString(),
  }));
  const bands = annotationBands(plain);
  return (
    <div className="grid">
      <ParamNotice problems={latencyFilterProblems(sp)} />
      <Card
        title="Events over time"
        span={6}
        subtitle={
          range ? (
            <>
              Zoomed to {fmtNs(zoom![0])} – {fmtNs(zoom![1])} after trace start.{' '}
              <Link href={`/traces/${traceId}/annotations`} data-testid="zoom-reset">
                Whole trace
              </Link>
            </>
          ) : (
            'Shaded bands are annotated time ranges; drag across a chart to annotate or zoom to a range.'
          )
        }
      >
        {events.buckets.length === 0 ? (
          <Empty>No timestamped events.</Empty>
        ) : (
          <EventsOverTimeChart
            buckets={events.buckets}
            kinds={events.kinds}
            bucketNs={events.bucket_ns}
            extentNs={events.extent_ns}
            bands={bands}
            brushTraceId={traceId}
            zoom={zoom}
          />
        )}
      </Card>
      <Card title="Latency over time" span={6} subtitle="Drag across a spike to annotate it, or read its time off the axis and type it below.">
        {latency.buckets.length === 0 ? (
          <Empty>No answered groups.</Empty>
        ) : (
          <LatencyOverTimeChart
            buckets={latency.buckets}
            bucketNs={latency.bucket_ns}
            extentNs={latency.extent_ns}
            bands={bands}
            brushTraceId={traceId}
            zoom={zoom}
          />
        )}
      </Card>
      <Card
        title="Add an annotation"
        span={12}
        subtitle="Mark a time range (both ends, or one for an instant) and/or a device or PASID, or leave them empty for a note on the whole trace."
      >
        <AnnotationForm traceId={traceId} />
      </Card>
      <Card title={`Annotations (${plain.length})`} span={12} subtitle="In time order; notes without a time range last. Also in the report.">
        {plain.length === 0 ? (
          <Empty>No annotations yet.</Empty>
        ) : (
          <ol className="report-annotations" data-testid="annotation-list">
            {plain.map((a) => (
              <li key={a.annotation_id} data-testid="annotation-item" data-annotation-id={a.annotation_id}>
                <div className="muted">
                  #{a.annotation_id} · <b>{withoutControls(a.author)}</b> · {annotationScope(a)} · updated {a.updated_at} UTC
                </div>
                <p className="annotation-text">{a.text}</p>
                <AnnotationControls
                  traceId={traceId}
                  annotation={{
                    annotation_id: a.annotation_id,
                    start_offset_ns: a.start_offset_ns,
                    end_offset_ns: a.end_offset_ns,
                    device: a.device,
                    pasid: a.pasid,
                    author: a.author,
                    text: a.text,
                  }}
                />
              </li>
            ))}
          </ol>
        )}
      </Card>
    </div>
  );
}
