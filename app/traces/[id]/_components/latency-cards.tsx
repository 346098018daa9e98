// The latency page's cards, each an async server component with its own query, all taking
// the same URL filter. The figures use the SQL of `pritrace stats`, so unfiltered they match
// it to the nanosecond (the e2e test checks this).

import Link from 'next/link';
import { latencyCdf } from '@/lib/queries/charts/latency-cdf.ts';
import { latencyFigures } from '@/lib/queries/charts/latency-figures.ts';
import { isFiltered, type LatencyFilter } from '@/lib/queries/charts/latency-filter.ts';
import { latencyHistogram } from '@/lib/queries/charts/latency-histogram.ts';
import { latencyOverTime } from '@/lib/queries/charts/latency-over-time.ts';
import { timestampResolutionNs } from '@/lib/queries/charts/timestamp-resolution.ts';
import { latencyFilterOptions } from '@/lib/queries/charts/filter-options.ts';
import { CdfChart } from '../../../_components/charts/cdf-chart.tsx';
import { FilterPicker } from '../../../_components/filter-picker.tsx';
import { LatencyHistogramChart } from '../../../_components/charts/latency-histogram-chart.tsx';
import { LatencyOverTimeChart } from '../../../_components/charts/latency-over-time-chart.tsx';
import { listAnnotations } from '@/lib/db/annotations.ts';
import { annotationBands } from '../../../_lib/annotation-bands.ts';
import { Empty } from '../../../_components/empty.tsx';
import { withDb } from '../../../_data/db.ts';
import { groupsHref } from '../../../_data/group-params.ts';
import { filterQuery } from '../../../_data/latency-filter.ts';
import { CODE_NAMES, fmtCount, fmtNs } from '../../../_lib/format.ts';

function NoGroups({ filter }: { filter: LatencyFilter }) {
  return <Empty>{isFiltered(filter) ? 'No answered groups match this filter.' : 'No answered groups in this trace, so there is no latency to show.'}</Empty>;
}

export async function FilterBar({ traceId, filter }: { traceId: number; filter: LatencyFilter }) {
  const opts = await withDb((db) => latencyFilterOptions(db, traceId));
  return (
    // Keyed by the filter: after a client-side navigation the fields show the new URL's values.
    <form key={filterQuery(filter)} className="filters" method="get" action={`/traces/${traceId}/latency`} data-testid="latency-filters">
      <div className="field">
        <label htmlFor="f-device">Device</label>
        <FilterPicker
          traceId={traceId}
          dim="device"
          id="f-device"
          name="device"
          value={filter.device ?? ''}
          placeholder="all devices (type to search)"
          options={opts.devices}
        />
      </div>
      <div className="field">
        <label htmlFor="f-pasid">PASID</label>
        <FilterPicker
          traceId={traceId}
          dim="pasid"
          id="f-pasid"
          name="pasid"
          value={filter.pasid != null ? String(filter.pasid) : ''}
          placeholder="all PASIDs (type to search)"
          options={opts.pasids}
        />
      </div>
      <div className="field">
        <label htmlFor="f-code">Response code</label>
        <select id="f-code" name="code" defaultValue={filter.code != null ? (CODE_NAMES[filter.code] ?? '') : ''}>
          <option value="">all codes</option>
          {opts.codes.map((c) => (
            <option key={c.value} value={CODE_NAMES[c.value] ?? String(c.value)}>
              {CODE_NAMES[c.value] ?? c.value} ({fmtCount(c.groups)})
            </option>
          ))}
        </select>
      </div>
      {filter.range ? (
        // The zoom rides along with the other filters; "Whole trace" drops only it.
        <>
          <input type="hidden" name="from" value={filter.range.from_ns.toString()} />
          <input type="hidden" name="to" value={filter.range.to_ns.toString()} />
        </>
      ) : null}
      <button type="submit">Apply</button>
      {filter.range ? (
        <Link className="button secondary" href={`/traces/${traceId}/latency${filterQuery({ ...filter, range: null })}`} data-testid="zoom-reset">
          Whole trace
        </Link>
      ) : null}
      {isFiltered(filter) ? (
        <Link className="button secondary" href={`/traces/${traceId}/latency`}>
          Clear filters
        </Link>
      ) : null}
    </form>
  );
}

export async function FiguresCard({ traceId, filter }: { traceId: number; filter: LatencyFilter }) {
  const f = await withDb((db) => latencyFigures(db, traceId, filter));
  if (f.answered === 0) return <NoGroups filter={filter} />;
  const rows = [
    { id: 'p50', label: 'p50' },
    { id: 'p90', label: 'p90' },
    { id: 'p99', label: 'p99' },
    { id: 'p999', label: 'p99.9' },
    { id: 'max', label: 'max' },
    { id: 'mean', label: 'mean' },
  ] as const;
  return (
    <>
      <dl className="figures" data-testid="latency-figures" data-answered={f.answered}>
        <div className="figure">
          <dt>answered groups</dt>
          <dd>
            <Link href={groupsHref(traceId, { filter: { ...filter, status: 'answered' }, sort: 'latency', dir: 'desc' })}>{fmtCount(f.answered)}</Link>
          </dd>
        </div>
        {rows.map((r) => {
          const v = f.latency_ns[r.id];
          // A percentile links to the groups at or above it, slowest first; the mean is no group's value.
          const href =
            r.id !== 'mean' && v !== null && Number.isInteger(v)
              ? groupsHref(traceId, { filter: { ...filter, latency_min_ns: BigInt(v) }, sort: 'latency', dir: 'desc' })
              : null;
          return (
            <div key={r.id} className="figure" data-testid={`latency-${r.id}`} data-ns={v ?? ''}>
              <dt>latency {r.label}</dt>
              <dd>
                {href ? (
                  <Link href={href} title={`Groups with latency ≥ ${r.label}`}>
                    {fmtNs(v)}
                  </Link>
                ) : (
                  fmtNs(v)
                )}
              </dd>
            </div>
          );
        })}
      </dl>
      <p className="muted" style={{ margin: '0.6rem 0 0', fontSize: '0.85rem' }}>
        Nearest-rank percentiles in integer ns. What the device waits (response − first request of the group): p50 {fmtNs(f.span_ns.p50)}, p99{' '}
        {fmtNs(f.span_ns.p99)}, max {fmtNs(f.span_ns.max)}.
      </p>
    </>
  );
}

/** 1 µs, 10 ms, …: a resolution as the round unit it is (fmtNs would print 1.00 µs). */
function unit(ns: number, times = 1): string {
  return ns >= 1_000_000 ? `${times} ms` : `${times} µs`;
}

export async function HistogramCard({ traceId, filter }: { traceId: number; filter: LatencyFilter }) {
  const [h, resolution] = await withDb(async (db) => [await latencyHistogram(db, traceId, filter, 10), await timestampResolutionNs(db, traceId)] as const);
  if (h.total === 0) return <NoGroups filter={filter} />;
  return (
    <>
      <LatencyHistogramChart bins={h.bins} total={h.total} groupsBase={groupsHref(traceId, { filter, sort: 'latency', dir: 'desc' })} />
      {resolution !== null && resolution > 1 ? (
        <p className="muted" data-testid="timestamp-resolution" data-ns={resolution}>
          Timestamps in this trace have {unit(resolution)} resolution: every latency is a whole number of {unit(resolution)}, so the buckets below{' '}
          {unit(resolution, 10)} are steps of it rather than a distribution.
        </p>
      ) : null}
    </>
  );
}

export async function CdfCard({ traceId, filter }: { traceId: number; filter: LatencyFilter }) {
  const points = await withDb((db) => latencyCdf(db, traceId, filter, 1000));
  if (points.length === 0) return <NoGroups filter={filter} />;
  return <CdfChart series={[{ name: 'recorded', points }]} />;
}

export async function OverTimeCard({ traceId, filter }: { traceId: number; filter: LatencyFilter }) {
  const [data, notes] = await withDb(async (db) => [await latencyOverTime(db, traceId, filter), await listAnnotations(db, traceId)] as const);
  if (data.buckets.length === 0) return <NoGroups filter={filter} />;
  return (
    <LatencyOverTimeChart
      buckets={data.buckets}
      bucketNs={data.bucket_ns}
      extentNs={data.extent_ns}
      bands={annotationBands(notes)}
      brushTraceId={traceId}
      zoom={filter.range ? [Number(filter.range.from_ns), Number(filter.range.to_ns)] : undefined}
    />
  );
}
