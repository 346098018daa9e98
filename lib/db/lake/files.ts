// The lake's folders on disk, and how an interrupted publish is undone. Publishing stages every
// partition of a trace under `.staging/<pid>-<trace>-<uuid>/`, writes a manifest, then renames
// the partitions into place one by one — the `traces` partition last. Readers list a trace only
// through its `traces` partition, so that last rename is the commit point. A publisher killed
// before it leaves its staging folder behind; whoever finds it later (the next publish, a
// dashboard starting) rolls it back, so the lake is as it was before that publish.

import fs from 'node:fs';
import path from 'node:path';
import { LAKE_SCHEMA, majorsInLake, versionDir } from '../../lake/layout.ts';
import { LakeVersionError } from '../../core/errors.ts';
import { processAlive } from '../process-alive.ts';

export const STAGING = '.staging';
export const MANIFEST = 'publish.json';
/** Inside a staging folder: the partitions a republish replaced, kept until it commits. */
export const REPLACED = '.replaced';

export interface Manifest {
  pid: number;
  trace: number;
  /** Partition folders relative to the version folder, in rename order; the traces one last. */
  partitions: string[];
}

export function lakeVersionRoot(lake: string): string {
  return path.join(path.resolve(lake), versionDir());
}

/**
 * Refuses a lake written by a newer major schema than this code reads: its files would be
 * misread, not merely missing columns.
 */
export function checkLakeVersion(lake: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(lake);
  } catch {
    return;
  }
  const newer = majorsInLake(entries).filter((m) => m > LAKE_SCHEMA.major);
  if (newer.length > 0) {
    throw new LakeVersionError(
      lake,
      `lake schema v${Math.max(...newer)} is newer than this PRI Trace Lab reads (v${LAKE_SCHEMA.major}); upgrade PRI Trace Lab to read or publish to it`,
    );
  }
}

function exists(p: string): boolean {
  return fs.existsSync(p);
}

/**
 * Undoes one interrupted publish. Every step checks the disk first, so running this again
 * after it was itself interrupted finishes the same undo.
 */
export function recoverStaging(root: string, stagingDir: string): 'rolled-back' | 'committed' | 'discarded' {
  const manifestPath = path.join(stagingDir, MANIFEST);
  if (!exists(manifestPath)) {
    // Killed while writing Parquet: nothing was renamed into the lake yet.
    fs.rmSync(stagingDir, { recursive: true, force: true });
    return 'discarded';
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
  const commit = manifest.partitions[manifest.partitions.length - 1]!;
  if (!exists(path.join(stagingDir, commit))) {
    fs.rmSync(path.join(stagingDir, REPLACED), { recursive: true, force: true });
    fs.rmSync(stagingDir, { recursive: true, force: true });
    return 'committed';
  }
  for (const p of manifest.partitions) {
    const staged = path.join(stagingDir, p);
    const target = path.join(root, p);
    const replaced = path.join(stagingDir, REPLACED, p);
    if (!exists(staged) && exists(target)) {
      fs.mkdirSync(path.dirname(staged), { recursive: true });
      fs.renameSync(target, staged);
    }
    if (exists(replaced) && !exists(target)) fs.renameSync(replaced, target);
  }
  fs.rmSync(stagingDir, { recursive: true, force: true });
  return 'rolled-back';
}

/** Rolls back every publish whose process is gone; returns how many it found. */
export function recoverLake(lake: string): number {
  const root = lakeVersionRoot(lake);
  const dir = path.join(root, STAGING);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let n = 0;
  for (const name of names) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    // This process's own publish in flight, or a live publisher's, is left alone.
    if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || processAlive(pid))) continue;
    recoverStaging(root, path.join(dir, name));
    n++;
  }
  return n;
}

/** Renames one staged partition into place, keeping a partition it replaces for the undo. */
export function movePartitionIn(root: string, stagingDir: string, partition: string): void {
  const target = path.join(root, partition);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (exists(target)) {
    const replaced = path.join(stagingDir, REPLACED, partition);
    fs.mkdirSync(path.dirname(replaced), { recursive: true });
    fs.renameSync(target, replaced);
  }
  fs.renameSync(path.join(stagingDir, partition), target);
}

/** Partition folders of one dataset for a trace id, whatever host and date they are under. */
export function findPartitions(root: string, dataset: string, trace: number): string[] {
  const out: string[] = [];
  const base = path.join(root, dataset);
  for (const host of safeList(base)) {
    for (const date of safeList(path.join(base, host))) {
      const p = path.join(dataset, host, date, `trace=${trace}`);
      if (exists(path.join(root, p))) out.push(p);
    }
  }
  return out;
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Bytes of every file below dir. */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}
