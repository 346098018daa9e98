// Publishes one trace of the database into a Parquet lake (docs/lake.md): every dataset's
// partition for the trace written as Parquet into a staging folder, then renamed into place
// with the `traces` partition last, so a reader sees the whole trace or none of it, and a
// publisher killed half-way leaves the lake as it was (files.ts undoes it). Publishing the same
// file from the same host again replaces its partitions.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NotFoundError } from '../../core/errors.ts';
import { histBuckets } from '../../lake/histogram.ts';
import {
  dateValue,
  EMPTY_PARTITION,
  hostPartitionValue,
  kernelEra,
  LAKE_DATASETS,
  LAKE_SCHEMA_VERSION,
  LAKE_VERSION_KEY,
  lakeTraceId,
  PART_FILE,
  partitionPath,
  type LakeDataset,
} from '../../lake/layout.ts';
import type { Db } from '../instance.ts';
import {
  checkLakeVersion,
  dirBytes,
  findPartitions,
  lakeVersionRoot,
  MANIFEST,
  movePartitionIn,
  recoverLake,
  recoverStaging,
  STAGING,
  type Manifest,
} from './files.ts';

export interface PublishOptions {
  lake: string;
  /** Host the trace was recorded on; else the trace's own metadata; else "unknown". */
  host?: string;
  /** Kernel version string; else the trace's own metadata. */
  kernel?: string;
  /** The date partition (YYYY-MM-DD); else the UTC date the trace was ingested. */
  date?: string;
  /** Called between steps, for a test that kills the publisher at a chosen point. */
  onStep?: (step: string) => void;
}

export interface PublishResult {
  trace: number;
  host: string;
  date: string;
  kernel: string | null;
  kernel_era: string | null;
  rows: Record<LakeDataset, number>;
  bytes: number;
  replaced: boolean;
  recovered: number;
}

/**
 * Each dataset's rows for one trace ($1 = the database's trace id), without the partition
 * columns. Column order and names are the lake's contract (docs/lake.md).
 */
const DATASET_SQL: Record<Exclude<LakeDataset, 'traces' | 'latency_hist'>, string> = {
  events: `SELECT line, ts_ns, cpu, task, pid, kind, event, iommu, device, rid, pasid, prgi, last, addr, perm, code, seq, detail
           FROM events WHERE trace_id = $1 ORDER BY line`,
  fault_groups: `SELECT group_no, iommu, device, pasid, prgi, status, pages, first_ts_ns, last_ts_ns, response_ts_ns, code,
                  latency_ns, span_ns, first_line, last_line, response_line
                FROM fault_groups WHERE trace_id = $1 ORDER BY group_no`,
  replay_runs: `SELECT run_id, model, preset, seed, params::VARCHAR AS params, overrides::VARCHAR AS overrides,
                 summary::VARCHAR AS summary, queue_depth::VARCHAR AS queue_depth, groups, seconds, created_at
               FROM replay_runs WHERE trace_id = $1 ORDER BY run_id`,
  replay_results: `SELECT r.run_id, r.group_index, r.iommu, r.device, r.pasid, r.prgi, r.arrival_ts_ns, r.latency_ns,
                    r.device_latency_ns, r.lookup_visits, r.lookup_ns, r.worker
                  FROM replay_results r JOIN replay_runs u USING (run_id) WHERE u.trace_id = $1 ORDER BY r.run_id, r.group_index`,
};

/** The trace row: what the database knows, plus where and on what kernel it was recorded. */
const TRACES_SQL = `SELECT name, source_file, format, file_hash, file_bytes, ingested_at, lines, events, page_requests,
    page_responses, unrecoverable_faults, context_events, other_events, lost_markers, lost_events, bad_lines,
    first_ts_ns, last_ts_ns, meta::VARCHAR AS meta, groups, answered_groups, latency_p99_ns,
    $2::VARCHAR AS kernel, $3::VARCHAR AS kernel_era, now()::TIMESTAMP AS published_at, trace_id AS source_trace_id
  FROM traces WHERE trace_id = $1`;

/**
 * Answered groups counted per device × PASID × minute since the trace's first event × latency
 * bucket. The ASOF join finds each latency's bucket exactly from the integer edges.
 */
const HIST_SQL = `SELECT g.device, g.pasid, ((g.last_ts_ns - t.first_ts_ns) // 60000000000)::BIGINT AS minute,
    b.bucket, b.lo_ns, b.hi_ns, b.mid_ns, count(*)::BIGINT AS groups
  FROM fault_groups g JOIN traces t USING (trace_id)
  ASOF JOIN lake_hist_buckets b ON g.latency_ns >= b.lo_ns
  WHERE g.trace_id = $1 AND g.status = 'answered'
  GROUP BY ALL ORDER BY minute, g.device, g.pasid, b.bucket`;

function kvMetadata(): string {
  return `KV_METADATA {${LAKE_VERSION_KEY}: '${LAKE_SCHEMA_VERSION}'}`;
}

async function copyTo(db: Db, select: string, params: readonly (string | number | null)[], file: string): Promise<number> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const pathParam = `$${params.length + 1}`;
  // COPY takes bound parameters for its query and its target; only the option list is literal.
  await db.run(`COPY (${select}) TO ${pathParam} (FORMAT parquet, COMPRESSION zstd, ${kvMetadata()})`, [...params, file]);
  const [row] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM read_parquet($1)', [file]);
  return Number(row!.n);
}

async function ensureBucketTable(db: Db): Promise<void> {
  await db.run('CREATE TEMP TABLE IF NOT EXISTS lake_hist_buckets (bucket INTEGER, lo_ns BIGINT, hi_ns BIGINT, mid_ns BIGINT)');
  const [row] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM lake_hist_buckets');
  if (Number(row!.n) > 0) return;
  const a = await db.appender('lake_hist_buckets', ['integer', 'bigint', 'bigint', 'bigint']);
  for (const b of histBuckets()) a.row([b.bucket, b.lo_ns, b.hi_ns, b.mid_ns]);
  a.close();
}

/**
 * Writes each dataset's empty partition once per lake, so that a lake with no trace yet reads
 * as empty tables in every engine instead of failing on a glob that matches nothing.
 */
async function ensureEmptyPartitions(db: Db, root: string): Promise<void> {
  const missing = LAKE_DATASETS.filter(
    (d) => !fs.existsSync(path.join(root, partitionPath(d, EMPTY_PARTITION.host, EMPTY_PARTITION.date, EMPTY_PARTITION.trace), PART_FILE)),
  );
  if (missing.length === 0) return;
  const staging = path.join(root, STAGING, `${process.pid}-0-${randomUUID()}`);
  for (const d of missing) {
    const file = path.join(staging, partitionPath(d, EMPTY_PARTITION.host, EMPTY_PARTITION.date, EMPTY_PARTITION.trace), PART_FILE);
    await copyTo(db, `SELECT * FROM (${selectFor(d)}) WHERE false`, paramsFor(d, 0, null), file);
  }
  for (const d of missing) {
    const p = partitionPath(d, EMPTY_PARTITION.host, EMPTY_PARTITION.date, EMPTY_PARTITION.trace);
    // Another publisher may have written it meanwhile: theirs is the same empty file.
    if (!fs.existsSync(path.join(root, p))) movePartitionIn(root, staging, p);
  }
  fs.rmSync(staging, { recursive: true, force: true });
}

function paramsFor(d: LakeDataset, traceId: number, kernel: string | null): (string | number | null)[] {
  return d === 'traces' ? [traceId, kernel, kernelEra(kernel)] : [traceId];
}

function selectFor(d: LakeDataset): string {
  if (d === 'traces') return TRACES_SQL;
  if (d === 'latency_hist') return HIST_SQL;
  return DATASET_SQL[d];
}

type TraceRow = {
  file_hash: string | null;
  name: string;
  ingested_at: Date;
  meta: string | null;
};

function metaString(meta: string | null, key: string): string | undefined {
  if (!meta) return undefined;
  try {
    const v = (JSON.parse(meta) as Record<string, unknown>)[key];
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The lake id for this trace: its own when published before, else the first one free. */
async function chooseLakeId(db: Db, root: string, host: string, fileHash: string): Promise<{ id: number; replaced: boolean }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const id = lakeTraceId(host, fileHash, attempt);
    const held = findPartitions(root, 'traces', id);
    if (held.length === 0) return { id, replaced: false };
    const file = path.join(root, held[0]!, PART_FILE);
    const [row] = await db.all<{ file_hash: string | null }>('SELECT file_hash FROM read_parquet($1)', [file]);
    if (held[0]!.includes(`/host=${host}/`) && row?.file_hash === fileHash) return { id, replaced: true };
  }
  throw new Error(`no free lake trace id for ${host}/${fileHash} after 100 attempts`);
}

export async function publishTrace(db: Db, traceId: number, opts: PublishOptions): Promise<PublishResult> {
  const step = opts.onStep ?? (() => undefined);
  checkLakeVersion(path.resolve(opts.lake));
  const root = lakeVersionRoot(opts.lake);
  const [trace] = await db.all<TraceRow>('SELECT file_hash, name, ingested_at, meta::VARCHAR AS meta FROM traces WHERE trace_id = $1', [traceId]);
  if (!trace) throw new NotFoundError(`no trace ${traceId}`);
  const host = hostPartitionValue(opts.host ?? metaString(trace.meta, 'host') ?? 'unknown');
  const kernel = opts.kernel ?? metaString(trace.meta, 'kernel') ?? null;
  const date = opts.date ?? dateValue(trace.ingested_at);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw new Error(`date ${JSON.stringify(date)} is not YYYY-MM-DD`);

  fs.mkdirSync(root, { recursive: true });
  const recovered = recoverLake(opts.lake);
  await ensureBucketTable(db);
  await ensureEmptyPartitions(db, root);
  // Content identity: a trace without a stored hash (never the case for ingested files) is keyed by its name.
  const identity = trace.file_hash ?? `name:${trace.name}:${os.hostname()}`;
  const { id, replaced } = await chooseLakeId(db, root, host, identity);

  const staging = path.join(root, STAGING, `${process.pid}-${id}-${randomUUID()}`);
  const order: LakeDataset[] = [...LAKE_DATASETS.filter((d) => d !== 'traces'), 'traces'];
  const rows = {} as Record<LakeDataset, number>;
  const manifest: Manifest = { pid: process.pid, trace: id, partitions: order.map((d) => partitionPath(d, host, date, id)) };
  let bytes = 0;
  let stale: string[] = [];
  try {
    for (const d of order) {
      step(`write:${d}`);
      const file = path.join(staging, partitionPath(d, host, date, id), PART_FILE);
      rows[d] = await copyTo(db, selectFor(d), paramsFor(d, traceId, kernel), file);
    }
    bytes = dirBytes(staging);
    fs.writeFileSync(path.join(staging, MANIFEST), JSON.stringify(manifest));
    step('manifest');
    // A republish under another date or host folder leaves the old partitions to be removed after commit.
    stale = order.flatMap((d) => findPartitions(root, d, id)).filter((p) => !manifest.partitions.includes(p));
    for (const p of manifest.partitions) {
      step(`rename:${p.split('/')[0]}`);
      movePartitionIn(root, staging, p);
    }
  } catch (e) {
    // A publish that fails (a full disk, a query error) undoes itself at once; only a killed one waits for the next.
    if (fs.existsSync(staging)) recoverStaging(root, staging);
    throw e;
  }
  step('committed');
  for (const p of stale) fs.rmSync(path.join(root, p), { recursive: true, force: true });
  fs.rmSync(staging, { recursive: true, force: true });
  return { trace: id, host, date, kernel, kernel_era: kernelEra(kernel), rows, bytes, replaced, recovered };
}
