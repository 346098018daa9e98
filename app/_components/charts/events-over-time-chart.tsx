'use client';

import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { EventBucket, TimedEventKind } from '@/lib/queries/charts/events-over-time.ts';
import { axisNs, fmtCount, fmtNs } from '../../_lib/format.ts';
import { annotationBandAreas } from './annotation-band-areas.tsx';
import { BrushActions, BrushProbe, selectionArea, useTimeBrush } from './time-brush.tsx';
import { useTimeZoom, ZoomControls } from './time-zoom.tsx';
import { AXIS, CHART_MARGIN, TooltipBox, Y_AXIS_WIDTH, axisCount, yTitle } from './common.tsx';
import type { TimeBand, TimeChartOptions } from './latency-over-time-chart.tsx';

const KIND_STYLE: Record<TimedEventKind, { label: string; color: string }> = {
  page_request: { label: 'page requests', color: '#2457c5' },
  page_response: { label: 'page responses', color: '#2f9e44' },
  unrecoverable_fault: { label: 'unrecoverable faults', color: '#c92a2a' },
  context: { label: 'context (qi_submit, map/unmap)', color: '#adb5bd' },
  other: { label: 'other events', color: '#e8a33d' },
};

export function EventsOverTimeChart({
  buckets,
  kinds,
  bucketNs,
  bands = [],
  brushTraceId,
  zoom,
  extentNs,
}: { buckets: EventBucket[]; kinds: TimedEventKind[]; bucketNs: number; bands?: TimeBand[] } & TimeChartOptions) {
  const brush = useTimeBrush();
  const zoomer = useTimeZoom({ probe: brush.probe, zoom, extentNs: extentNs ?? 0, brush: brush.handlers });
  // Wheel, pan and the zoom buttons need the trace's extent; a chart without it only brushes.
  const zoomable = brushTraceId !== undefined && extentNs !== undefined && extentNs > 0;
  const fixed = zoomable || zoom !== undefined;
  // A step drawn "after" each point needs a closing point, or the last bucket has no width.
  const last = buckets.at(-1);
  const data = last ? [...buckets, { ...last, t_ns: last.t_ns + bucketNs }] : buckets;
  // The total charted, for a reader (or test) to check a zoom against its window.
  const total = buckets.reduce((sum, b) => sum + kinds.reduce((n, k) => n + b[k], 0), 0);
  return (
    <>
      <div
        ref={zoomer.ref}
        className={brushTraceId !== undefined ? `chart chart-xl brushable${zoomer.mode === 'pan' ? ' pan-mode' : ''}` : 'chart chart-xl'}
        data-testid="chart-events-over-time"
        data-events={total}
        data-window={zoomable ? zoomer.domain.join(',') : undefined}
        {...(zoomable ? zoomer.handlers : brushTraceId !== undefined ? brush.handlers : {})}
      >
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={data} margin={CHART_MARGIN}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
            <XAxis
              dataKey="t_ns"
              type="number"
              domain={zoomable ? zoomer.domain : (zoom ?? ['dataMin', 'dataMax'])}
              allowDataOverflow={fixed}
              tickFormatter={axisNs}
              tick={AXIS}
              label={{ value: 'time since trace start', position: 'insideBottom', offset: -10, fontSize: 12 }}
            />
            <YAxis tick={AXIS} width={Y_AXIS_WIDTH} allowDecimals={false} tickFormatter={axisCount} label={yTitle(`events per ${axisNs(bucketNs)}`)} />
            <Tooltip
              content={({ active, payload }) =>
                active && payload?.length ? (
                  <TooltipBox
                    title={`${fmtNs(Number((payload[0]!.payload as EventBucket).t_ns))} – ${fmtNs(Number((payload[0]!.payload as EventBucket).t_ns) + bucketNs)}`}
                    rows={payload.map((p) => ({ label: String(p.name), value: fmtCount(Number(p.value)), color: String(p.color) }))}
                  />
                ) : null
              }
            />
            <Legend verticalAlign="top" itemSorter={null} wrapperStyle={{ paddingBottom: 6 }} />
            {annotationBandAreas(bands, bucketNs, fixed)}
            {kinds.map((k) => (
              <Area
                key={k}
                dataKey={k}
                name={KIND_STYLE[k].label}
                stackId="events"
                type="stepAfter"
                stroke={KIND_STYLE[k].color}
                fill={KIND_STYLE[k].color}
                fillOpacity={0.55}
                isAnimationActive={false}
                dot={false}
              />
            ))}
            {selectionArea(brush.selection)}
            {brushTraceId !== undefined ? <BrushProbe probe={brush.probe} /> : null}
          </AreaChart>
        </ResponsiveContainer>
      </div>
      {zoomable ? <ZoomControls zoomState={zoomer} extentNs={extentNs} zoomed={zoom !== undefined} /> : null}
      {brushTraceId !== undefined && brush.chosen ? <BrushActions traceId={brushTraceId} selection={brush.chosen} onClear={brush.clear} /> : null}
    </>
  );
}
