// The fleet: every trace published to the Parquet lake (PRITRACE_LAKE), p50/p99 per host from
// the lake's mergeable histograms with the slowest hosts first, and per host × kernel era over
// the date partitions. In lake-only mode every trace opens in the trace pages, read from its
// Parquet files.

import type { Metadata } from 'next';
import Link from 'next/link';
import { fleetHosts, fleetSeries, fleetTraces } from '@/lib/queries/fleet.ts';
import { Card } from '../_components/card.tsx';
import { FleetChart } from '../_components/charts/fleet-chart.tsx';
import { Empty } from '../_components/empty.tsx';
import { configuredLake, withLakeDb } from '../_data/lake.ts';
import { fmtCount, fmtNs } from '../_lib/format.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Fleet' };

export default async function FleetPage() {
  const lake = configuredLake();
  if (!lake) {
    return (
      <div className="grid">
        <Card title="Fleet" span={12}>
          <Empty>
            No lake configured. Start the dashboard with <code>PRITRACE_LAKE=DIR</code> to publish every ingested trace into a Parquet lake and see the fleet
            here; <code>pritrace publish TRACE --lake DIR</code> publishes one.
          </Empty>
        </Card>
      </div>
    );
  }
  const { hosts, series, traces } = await withLakeDb(lake.dir, async (db) => ({
    hosts: await fleetHosts(db),
    series: await fleetSeries(db),
    traces: await fleetTraces(db),
  }));
  return (
    <>
      <div className="page-head">
        <h1>Fleet</h1>
        <p className="muted">
          {fmtCount(traces.length)} traces from {fmtCount(hosts.length)} hosts in <code>{lake.dir}</code>
          {lake.only ? ' — served read-only from the lake' : ''}. Percentiles are nearest-rank over answered groups, each the middle of its histogram bucket (16
          per decade: within ±7.5 % of the exact value).
        </p>
      </div>
      <div className="grid">
        {hosts.length === 0 ? (
          <Card title="Hosts" span={12}>
            <Empty>Nothing published to this lake yet.</Empty>
          </Card>
        ) : (
          <>
            <Card title="Hosts, slowest first" subtitle="Ordered by p99 of latency (response − last-page request)" span={12} testId="fleet-hosts">
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">host</th>
                      <th scope="col" className="num">
                        traces
                      </th>
                      <th scope="col" className="num">
                        answered groups
                      </th>
                      <th scope="col" className="num">
                        p50
                      </th>
                      <th scope="col" className="num">
                        p99
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {hosts.map((h) => (
                      <tr key={h.host}>
                        <td>{h.host}</td>
                        <td className="num">{fmtCount(h.traces)}</td>
                        <td className="num">{fmtCount(h.groups)}</td>
                        <td className="num">{fmtNs(h.p50)}</td>
                        <td className="num">{fmtNs(h.p99)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
            <Card
              title="p99 by host and kernel era"
              subtitle="Per date partition (the UTC date each trace was ingested, unless published with --date)"
              span={6}
            >
              <FleetChart points={series} metric="p99" />
            </Card>
            <Card title="p50 by host and kernel era" span={6}>
              <FleetChart points={series} metric="p50" />
            </Card>
            <Card
              title="Traces"
              subtitle={
                lake.only ? 'Each opens in the trace pages, read from the lake' : 'Serve the lake with PRITRACE_LAKE_ONLY=1 to open these in the trace pages'
              }
              span={12}
              testId="fleet-traces"
            >
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">lake id</th>
                      <th scope="col">host</th>
                      <th scope="col">date</th>
                      <th scope="col">name</th>
                      <th scope="col">kernel</th>
                      <th scope="col" className="num">
                        groups
                      </th>
                      <th scope="col" className="num">
                        p99
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {traces.map((t) => (
                      <tr key={t.trace}>
                        <td>{lake.only ? <Link href={`/traces/${t.trace}`}>{t.trace}</Link> : t.trace}</td>
                        <td>{t.host}</td>
                        <td>{t.date}</td>
                        <td>{t.name}</td>
                        <td>
                          {t.kernel ?? '—'}
                          {t.kernel_era ? <span className="muted"> ({t.kernel_era})</span> : null}
                        </td>
                        <td className="num">{fmtCount(t.groups)}</td>
                        <td className="num">{fmtNs(t.p99_ns)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
          </>
        )}
      </div>
    </>
  );
}
