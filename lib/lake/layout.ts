// Where everything lives in a Parquet lake, and which version of the layout it is. The lake is
// a contract with other engines (docs/lake.md), so its names are fixed here once: one folder per
// dataset under the schema's major version, hive partitions host=/date=/trace= below it, one
// Parquet file per partition carrying the schema version in its key-value metadata.

import { createHash } from 'node:crypto';

/** Major changes break readers (they refuse a newer major); minor ones only add columns. */
export const LAKE_SCHEMA = { major: 1, minor: 0 } as const;
export const LAKE_SCHEMA_VERSION = `${LAKE_SCHEMA.major}.${LAKE_SCHEMA.minor}`;
/** The Parquet key-value metadata key that holds LAKE_SCHEMA_VERSION in every file. */
export const LAKE_VERSION_KEY = 'pritrace_lake_schema';

export const LAKE_DATASETS = ['traces', 'events', 'fault_groups', 'replay_runs', 'replay_results', 'latency_hist'] as const;
export type LakeDataset = (typeof LAKE_DATASETS)[number];

/** The folder of one schema major version: the lake's root for readers of that version. */
export function versionDir(major: number = LAKE_SCHEMA.major): string {
  return `v${major}`;
}

/** Majors present in a lake, from the names of its top-level folders. */
export function majorsInLake(entries: readonly string[]): number[] {
  return entries.flatMap((e) => {
    const m = /^v(\d{1,6})$/.exec(e);
    return m ? [Number(m[1])] : [];
  });
}

/**
 * A host name as a hive partition value: letters, digits, '.', '_' and '-' only (everything
 * else becomes '_'), so the folder name is the value in every engine without decoding.
 */
export function hostPartitionValue(host: string): string {
  const v = host
    .trim()
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 100);
  if (v === '' || v === '.' || v === '..') return 'unknown';
  return v;
}

/** The trace id reserved for the empty schema partition each dataset keeps (docs/lake.md). */
export const EMPTY_PARTITION_TRACE = 0;
export const EMPTY_PARTITION = { host: '_empty', date: '1970-01-01', trace: EMPTY_PARTITION_TRACE } as const;

/**
 * The lake-wide id of a trace: derived from its host and content, so publishing the same file
 * from the same host again replaces it, and two dashboards agree on it without talking. Below
 * 10^9 so that it is also a valid trace id in the dashboard's URLs. `attempt` moves to the next
 * candidate when a different trace already holds one (the publisher checks).
 */
export function lakeTraceId(host: string, fileHash: string, attempt = 0): number {
  const h = createHash('sha256').update(`${host}\n${fileHash}\n${attempt}`).digest();
  return (h.readUInt32BE(0) % 999_999_999) + 1;
}

/** The partition folder of one trace in one dataset, relative to the version folder. */
export function partitionPath(dataset: LakeDataset, host: string, date: string, trace: number): string {
  return `${dataset}/host=${host}/date=${date}/trace=${trace}`;
}

/** The one file each partition holds. */
export const PART_FILE = 'part-0.parquet';

/** A UTC calendar date as the `date` partition value (YYYY-MM-DD). */
export function dateValue(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * The kernel era a version string falls in, named as the replay presets name them (DESIGN §5),
 * so fleet figures can be grouped by era; null when the string holds no x.y version.
 */
export function kernelEra(kernel: string | null | undefined): string | null {
  const m = /(\d+)\.(\d+)/.exec(kernel ?? '');
  if (!m) return null;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  if (v < 5014) return 'pre-v5.14';
  if (v < 5017) return 'v5.14';
  if (v < 6001) return 'v5.17';
  if (v < 6002) return 'v6.1';
  if (v < 6009) return 'v6.6';
  if (v < 6011) return 'v6.9';
  return 'v6.11';
}
