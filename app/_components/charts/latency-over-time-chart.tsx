'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { PERCENTILE_COLORS } from '@/lib/core/series-colors.ts';
import type { LatencyBucket } from '@/lib/queries/charts/latency-over-time.ts';
import { axisNs, fmtCount, fmtNs } from '../../_lib/format.ts';
import { annotationBandAreas } from './annotation-band-areas.tsx';
import { BrushActions, BrushProbe, selectionArea, useTimeBrush } from './time-brush.tsx';
import { useTimeZoom, ZoomControls } from './time-zoom.tsx';
import { AXIS, CHART_MARGIN, TooltipBox, Y_AXIS_WIDTH, logAxis, yTitle } from './common.tsx';

const SERIES = [
  { key: 'max_ns', name: 'max', color: PERCENTILE_COLORS.max, width: 1 },
  { key: 'p99_ns', name: 'p99', color: PERCENTILE_COLORS.p99, width: 2 },
  { key: 'p50_ns', name: 'p50', color: PERCENTILE_COLORS.p50, width: 2 },
] as const;

/** A marked time range (a postmortem annotation), ns since trace start; drawn as a shaded band. */
export interface TimeBand {
  id: number;
  start_ns: number;
  end_ns: number;
  label: string;
}

/** What a time chart needs to offer brushing (drag to select a range) and how it is zoomed. */
export interface TimeChartOptions {
  /** Brushing on, for this trace; off (a static chart, e.g. in the report) when absent. */
  brushTraceId?: number;
  /** The zoomed window [from, to), ns since trace start: the x axis spans exactly it. */
  zoom?: [number, number];
  /** The whole trace's span, ns: with brushTraceId, turns on wheel zoom, drag pan and the zoom buttons. */
  extentNs?: number;
}

/** p50 / p99 / max per time bucket on a log latency axis (a spike must not flatten the median). */
export function LatencyOverTimeChart({
  buckets,
  bucketNs,
  bands = [],
  testId = 'chart-latency-over-time',
  brushTraceId,
  zoom,
  extentNs,
}: { buckets: LatencyBucket[]; bucketNs: number; bands?: TimeBand[]; testId?: string } & TimeChartOptions) {
  const brush = useTimeBrush();
  const zoomer = useTimeZoom({ probe: brush.probe, zoom, extentNs: extentNs ?? 0, brush: brush.handlers });
  // Wheel, pan and the zoom buttons need the trace's extent; a chart without it only brushes.
  const zoomable = brushTraceId !== undefined && extentNs !== undefined && extentNs > 0;
  const fixed = zoomable || zoom !== undefined;
  // A zero latency has no place on a log axis: it is drawn as a gap.
  const data = buckets.map((b) => ({ ...b, p50_ns: b.p50_ns || null, p99_ns: b.p99_ns || null, max_ns: b.max_ns || null }));
  const values = buckets.flatMap((b) => [b.p50_ns, b.max_ns]).filter((v) => v > 0);
  const axis = logAxis(values.length ? Math.min(...values) : 1, values.length ? Math.max(...values) : 10);
  return (
    <>
      <div
        ref={zoomer.ref}
        className={brushTraceId !== undefined ? `chart brushable${zoomer.mode === 'pan' ? ' pan-mode' : ''}` : 'chart'}
        data-testid={testId}
        data-window={zoomable ? zoomer.domain.join(',') : undefined}
        {...(zoomable ? zoomer.handlers : brushTraceId !== undefined ? brush.handlers : {})}
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={CHART_MARGIN}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
            <XAxis
              dataKey="t_ns"
              type="number"
              domain={zoomable ? zoomer.domain : (zoom ?? ['dataMin', 'dataMax'])}
              allowDataOverflow={fixed}
              tickFormatter={axisNs}
              tick={AXIS}
              label={{ value: `time since trace start (buckets of ${axisNs(bucketNs)})`, position: 'insideBottom', offset: -10, fontSize: 12 }}
            />
            <YAxis
              type="number"
              scale="log"
              domain={axis.domain}
              ticks={axis.ticks}
              tickFormatter={axisNs}
              tick={AXIS}
              width={Y_AXIS_WIDTH}
              label={yTitle('latency (log)')}
            />
            <Tooltip
              content={({ active, payload }) => {
                const b = active && payload?.length ? (payload[0]!.payload as LatencyBucket) : null;
                return b ? (
                  <TooltipBox
                    title={`${fmtNs(b.t_ns)} – ${fmtNs(b.t_ns + bucketNs)}`}
                    rows={[
                      { label: 'groups', value: fmtCount(b.count) },
                      { label: 'p50', value: fmtNs(b.p50_ns), color: PERCENTILE_COLORS.p50 },
                      { label: 'p99', value: fmtNs(b.p99_ns), color: PERCENTILE_COLORS.p99 },
                      { label: 'max', value: fmtNs(b.max_ns), color: PERCENTILE_COLORS.max },
                    ]}
                  />
                ) : null;
              }}
            />
            <Legend verticalAlign="top" itemSorter={null} wrapperStyle={{ paddingBottom: 6 }} />
            {annotationBandAreas(bands, bucketNs, fixed)}
            {SERIES.map((s) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.name}
                stroke={s.color}
                strokeWidth={s.width}
                strokeOpacity={s.key === 'max_ns' ? 0.8 : 1}
                type="linear"
                dot={data.length <= 30 ? { r: 3 } : false}
                connectNulls={false}
                isAnimationActive={false}
              />
            ))}
            {selectionArea(brush.selection)}
            {brushTraceId !== undefined ? <BrushProbe probe={brush.probe} /> : null}
          </LineChart>
        </ResponsiveContainer>
      </div>
      {zoomable ? <ZoomControls zoomState={zoomer} extentNs={extentNs} zoomed={zoom !== undefined} /> : null}
      {brushTraceId !== undefined && brush.chosen ? <BrushActions traceId={brushTraceId} selection={brush.chosen} onClear={brush.clear} /> : null}
    </>
  );
}
