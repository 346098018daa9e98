// The lake's figures for `npm run bench`: bytes per million events in the lake against the
// DuckDB file, publish time, and the fleet query over 100 published traces from 10 hosts.
// The 100 traces are one published sample copied under 100 trace ids (10 hosts × 10 dates):
// same rows, so this times the reading of 100 × 6 partitions, not a varied fleet.

import fs from 'node:fs';
import path from 'node:path';
import { ingestFile } from '../lib/services/ingest.ts';
import { closeDbInstance, LAKE_DB_PREFIX, openDb } from '../lib/db/instance.ts';
import { dirBytes, lakeVersionRoot } from '../lib/db/lake/files.ts';
import { publishTrace } from '../lib/db/lake/publish.ts';
import { LAKE_DATASETS, partitionPath } from '../lib/lake/layout.ts';
import { fleetHosts } from '../lib/queries/fleet.ts';

const SAMPLE = path.resolve(import.meta.dirname, '..', 'traces', 'large-intel-v6.9.trace.gz');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchLake(work: string): Promise<Record<string, string>> {
  const dir = path.join(work, 'lake-bench');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const dbPath = path.join(dir, 'db.duckdb');
  const lake = path.join(dir, 'lake');
  let db = await openDb(dbPath);
  const r = await ingestFile(db, { file: SAMPLE });
  await db.run('CHECKPOINT');
  db.close();
  await closeDbInstance(dbPath);
  const dbBytes = fs.statSync(dbPath).size;

  db = await openDb(dbPath);
  const t = performance.now();
  const pub = await publishTrace(db, r.trace_id, { lake, host: 'h0', date: '2026-12-01' });
  const publishS = (performance.now() - t) / 1000;
  db.close();
  await closeDbInstance(dbPath);

  const root = lakeVersionRoot(lake);
  for (let i = 0; i < 100; i++) {
    const host = `host-${String(i % 10).padStart(2, '0')}`;
    const date = `2026-11-${String(1 + Math.floor(i / 10)).padStart(2, '0')}`;
    // Published last, as a publish would: the traces partition makes the copy visible.
    for (const d of [...LAKE_DATASETS.filter((x) => x !== 'traces'), 'traces' as const]) {
      fs.cpSync(path.join(root, partitionPath(d, pub.host, pub.date, pub.trace)), path.join(root, partitionPath(d, host, date, 1000 + i)), { recursive: true });
    }
  }
  fs.rmSync(path.join(root, partitionPath('traces', pub.host, pub.date, pub.trace)), { recursive: true });

  const lakePath = `${LAKE_DB_PREFIX}${lake}`;
  const cold: number[] = [];
  const warm: number[] = [];
  let hosts = 0;
  for (let k = 0; k < 5; k++) {
    const c0 = performance.now();
    const l = await openDb(lakePath);
    hosts = (await fleetHosts(l)).length;
    cold.push(performance.now() - c0);
    const w0 = performance.now();
    await fleetHosts(l);
    warm.push(performance.now() - w0);
    l.close();
    await closeDbInstance(lakePath);
  }
  const perM = (bytes: number) => ((bytes / r.events) * 1e6) / 1e6;
  return {
    'lake size': `${perM(pub.bytes).toFixed(1)} MB per million events (DuckDB file: ${perM(dbBytes).toFixed(1)} MB per million events; sample of ${r.events} events, ${r.groups.total} groups)`,
    publish: `${publishS.toFixed(2)} s for the sample (${pub.rows.events} events, ${pub.rows.fault_groups} groups, ${pub.rows.latency_hist} histogram rows)`,
    'fleet query, 100 traces / 10 hosts': `${hosts} hosts; median ${median(cold).toFixed(0)} ms opening the lake + query, ${median(warm).toFixed(0)} ms on an open lake (target ≤ 500 ms)`,
    'lake total for 100 traces': `${(dirBytes(root) / 1e6).toFixed(0)} MB`,
  };
}
