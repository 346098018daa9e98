// Fleet figures from a Parquet lake (docs/lake.md): per host, and per host × kernel era × date,
// the nearest-rank p50/p99 of latency from the mergeable histograms. The SQL is the lake's
// documented contract — plain joins, sums and window sums over the datasets as published
// (schema `lake` of a lake database), nothing DuckDB-only — so any engine reading the same
// files gets the same figures. A percentile is reported as the middle of the log bucket it
// falls in: within one bucket (16 per decade) of the exact value. Each trace's histogram is
// summed per bucket before the join with `traces` (the join only keeps committed traces and
// adds host and era): joining first made the fleet query 2× slower over 100 traces.

import type { Db } from '../db/instance.ts';

export interface FleetHost {
  host: string;
  traces: number;
  /** Answered groups in the host's histograms. */
  groups: number;
  p50: number | null;
  p99: number | null;
}

export interface FleetPoint {
  host: string;
  kernel_era: string | null;
  date: string;
  groups: number;
  p50: number;
  p99: number;
}

export interface FleetTrace {
  trace: number;
  host: string;
  date: string;
  name: string;
  kernel: string | null;
  kernel_era: string | null;
  groups: number;
  p99_ns: number | null;
}

/** Per host: traces, answered groups, p50 and p99 — the slowest hosts (by p99) first. */
export const FLEET_HOSTS_SQL = `WITH ht AS (
  SELECT trace, bucket, MIN(mid_ns) AS mid_ns, SUM(groups) AS n
  FROM lake.latency_hist GROUP BY trace, bucket
), h AS (
  SELECT t.host, ht.bucket, MIN(ht.mid_ns) AS mid_ns, SUM(ht.n) AS n
  FROM ht JOIN lake.traces t ON t.trace = ht.trace
  GROUP BY t.host, ht.bucket
), c AS (
  SELECT host, mid_ns, n,
    SUM(n) OVER (PARTITION BY host ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
    SUM(n) OVER (PARTITION BY host) AS total
  FROM h
), p AS (
  SELECT host, MAX(total) AS groups,
    MIN(CASE WHEN cum * 100 >= total * 50 THEN mid_ns END) AS p50,
    MIN(CASE WHEN cum * 100 >= total * 99 THEN mid_ns END) AS p99
  FROM c GROUP BY host
)
SELECT t.host, COUNT(*) AS traces, COALESCE(MAX(p.groups), 0) AS groups, MAX(p.p50) AS p50, MAX(p.p99) AS p99
FROM lake.traces t LEFT JOIN p ON p.host = t.host
GROUP BY t.host
ORDER BY MAX(p.p99) DESC NULLS LAST, t.host`;

/** Per host × kernel era × date partition: answered groups, p50 and p99. */
export const FLEET_SERIES_SQL = `WITH ht AS (
  SELECT trace, bucket, MIN(mid_ns) AS mid_ns, SUM(groups) AS n
  FROM lake.latency_hist GROUP BY trace, bucket
), h AS (
  SELECT t.host, t.kernel_era, t.date, ht.bucket, MIN(ht.mid_ns) AS mid_ns, SUM(ht.n) AS n
  FROM ht JOIN lake.traces t ON t.trace = ht.trace
  GROUP BY t.host, t.kernel_era, t.date, ht.bucket
), c AS (
  SELECT host, kernel_era, date, mid_ns,
    SUM(n) OVER (PARTITION BY host, kernel_era, date ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
    SUM(n) OVER (PARTITION BY host, kernel_era, date) AS total
  FROM h
)
SELECT host, kernel_era, date, MAX(total) AS groups,
  MIN(CASE WHEN cum * 100 >= total * 50 THEN mid_ns END) AS p50,
  MIN(CASE WHEN cum * 100 >= total * 99 THEN mid_ns END) AS p99
FROM c GROUP BY host, kernel_era, date
ORDER BY date, host, kernel_era`;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const dateText = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

export async function fleetHosts(db: Db): Promise<FleetHost[]> {
  const rows = await db.all(FLEET_HOSTS_SQL);
  return rows.map((r) => ({ host: String(r.host), traces: num(r.traces), groups: num(r.groups), p50: numOrNull(r.p50), p99: numOrNull(r.p99) }));
}

export async function fleetSeries(db: Db): Promise<FleetPoint[]> {
  const rows = await db.all(FLEET_SERIES_SQL);
  return rows.map((r) => ({
    host: String(r.host),
    kernel_era: r.kernel_era === null ? null : String(r.kernel_era),
    date: dateText(r.date),
    groups: num(r.groups),
    p50: num(r.p50),
    p99: num(r.p99),
  }));
}

/** Every published trace, newest date first. */
export async function fleetTraces(db: Db, limit = 500): Promise<FleetTrace[]> {
  const rows = await db.all(
    `SELECT trace, host, date, name, kernel, kernel_era, groups, latency_p99_ns FROM lake.traces
     ORDER BY date DESC, host, trace LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    trace: num(r.trace),
    host: String(r.host),
    date: dateText(r.date),
    name: String(r.name),
    kernel: r.kernel === null ? null : String(r.kernel),
    kernel_era: r.kernel_era === null ? null : String(r.kernel_era),
    groups: num(r.groups ?? 0),
    p99_ns: numOrNull(r.latency_p99_ns),
  }));
}
