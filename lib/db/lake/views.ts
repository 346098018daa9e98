// A lake read as the dashboard's own database: views named like the tables of schema.ts over
// the lake's Parquet files, so every page and query runs on a lake unchanged, read-only. The
// views are plain SQL over read_parquet with hive partitions; a trace is visible once its
// `traces` partition exists, and every other dataset is read through that list (publish.ts
// renames the traces partition last), so a half-published trace never shows.

import fs from 'node:fs';
import path from 'node:path';
import { EMPTY_PARTITION_TRACE, LAKE_DATASETS, PART_FILE, partitionPath, EMPTY_PARTITION, type LakeDataset } from '../../lake/layout.ts';
import { TABLES } from '../schema.ts';
import { checkLakeVersion, lakeVersionRoot } from './files.ts';

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A dataset as a relation: every partition's file, hive columns host (VARCHAR), date (DATE), trace (INTEGER). */
function dataset(root: string, d: LakeDataset): string {
  const glob = path.join(root, d, '*', '*', '*', '*.parquet');
  return `read_parquet(${literal(glob)}, hive_partitioning = true, hive_types = {'trace': INTEGER, 'date': DATE})`;
}

/** Columns the lake adds to the database's traces table: where and on what kernel it was recorded. */
const TRACE_LAKE_COLUMNS = 'host VARCHAR, date DATE, kernel VARCHAR, kernel_era VARCHAR, published_at TIMESTAMP';
const LATENCY_HIST_COLUMNS =
  'trace_id INTEGER, host VARCHAR, date DATE, device VARCHAR, pasid INTEGER, minute BIGINT, bucket INTEGER, lo_ns BIGINT, hi_ns BIGINT, mid_ns BIGINT, groups BIGINT';

/** Columns given as `name TYPE, …` as an empty relation of those names and types. */
function emptyOf(columns: string): string {
  const cols = columns.split(', ').map((c) => {
    const [name, ...type] = c.split(' ');
    return `CAST(NULL AS ${type.join(' ')}) AS ${name}`;
  });
  return `SELECT ${cols.join(', ')} WHERE false`;
}

/** A table of schema.ts as an empty relation of the same names and types. */
function emptyRelation(table: string, extra?: string): string {
  const t = TABLES.find((x) => x.name === table)!;
  const cols = t.columns.map((c) => `${c.name} ${c.type.replace(/\s+(PRIMARY KEY|NOT NULL|UNIQUE).*$/, '')}`);
  return emptyOf([...cols, ...(extra ? [extra] : [])].join(', '));
}

/**
 * A replay run's id across the lake: runs are numbered per database, so two published traces
 * can both hold run 1. Keyed by the lake trace and the run's own id, below 2^31 like a run id.
 */
const LAKE_RUN_ID = `(hash(trace, run_id) % 2147483647)::INTEGER`;

/** Whether every dataset of the lake has its empty partition (the lake has been published to). */
export function lakeInitialised(lake: string): boolean {
  const root = lakeVersionRoot(lake);
  return LAKE_DATASETS.every((d) =>
    fs.existsSync(path.join(root, partitionPath(d, EMPTY_PARTITION.host, EMPTY_PARTITION.date, EMPTY_PARTITION.trace), PART_FILE)),
  );
}

/**
 * The statements that make a fresh (in-memory) DuckDB instance read `lake` as the dashboard's
 * database: the datasets as published, with their partition columns, in schema `lake` (what
 * docs/lake.md's queries name), and the database's own table names over them. A lake nothing
 * was published to yet reads as empty tables (and has no `lake` schema).
 */
export function lakeViewStatements(lake: string): string[] {
  checkLakeVersion(path.resolve(lake));
  const root = lakeVersionRoot(lake);
  if (!lakeInitialised(lake)) {
    return [
      ...TABLES.map((t) => `CREATE OR REPLACE VIEW ${t.name} AS ${emptyRelation(t.name, t.name === 'traces' ? TRACE_LAKE_COLUMNS : undefined)}`),
      `CREATE OR REPLACE VIEW latency_hist AS ${emptyOf(LATENCY_HIST_COLUMNS)}`,
    ];
  }
  const raw = LAKE_DATASETS.map((d) => `CREATE OR REPLACE VIEW lake.${d} AS SELECT * FROM ${dataset(root, d)} WHERE trace <> ${EMPTY_PARTITION_TRACE}`);
  // Every dataset is read through the traces list: a trace whose publish has not committed is not there.
  const visible = `trace IN (SELECT trace FROM lake.traces)`;
  return [
    'CREATE SCHEMA IF NOT EXISTS lake',
    ...raw,
    `CREATE OR REPLACE VIEW traces AS SELECT trace AS trace_id, name, source_file, format, file_hash, file_bytes, ingested_at,
       lines, events, page_requests, page_responses, unrecoverable_faults, context_events, other_events, lost_markers,
       lost_events, bad_lines, first_ts_ns, last_ts_ns, meta::JSON AS meta, groups, answered_groups, latency_p99_ns,
       host, date, kernel, kernel_era, published_at
     FROM lake.traces`,
    `CREATE OR REPLACE VIEW events AS SELECT trace AS trace_id, line, ts_ns, cpu, task, pid, kind, event, iommu, device, rid,
       pasid, prgi, last, addr, perm, code, seq, detail
     FROM lake.events WHERE ${visible}`,
    `CREATE OR REPLACE VIEW fault_groups AS SELECT trace AS trace_id, group_no, iommu, device, pasid, prgi, status, pages,
       first_ts_ns, last_ts_ns, response_ts_ns, code, latency_ns, span_ns, first_line, last_line, response_line
     FROM lake.fault_groups WHERE ${visible}`,
    `CREATE OR REPLACE VIEW replay_runs AS SELECT ${LAKE_RUN_ID} AS run_id, trace AS trace_id, model, preset, seed,
       params::JSON AS params, overrides::JSON AS overrides, summary::JSON AS summary, queue_depth::JSON AS queue_depth,
       groups, seconds, created_at
     FROM lake.replay_runs WHERE ${visible}`,
    `CREATE OR REPLACE VIEW replay_results AS SELECT ${LAKE_RUN_ID} AS run_id, group_index, iommu, device, pasid, prgi,
       arrival_ts_ns, latency_ns, device_latency_ns, lookup_visits, lookup_ns, worker
     FROM lake.replay_results WHERE ${visible}`,
    `CREATE OR REPLACE VIEW latency_hist AS SELECT trace AS trace_id, host, date, device, pasid, minute, bucket, lo_ns,
       hi_ns, mid_ns, groups
     FROM lake.latency_hist WHERE ${visible}`,
    ...['sweeps', 'sensitivity_runs', 'annotations', 'saved_views'].map((t) => `CREATE OR REPLACE VIEW ${t} AS ${emptyRelation(t)}`),
  ];
}
