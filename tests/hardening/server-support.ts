// Shared by the server hardening tests: uploads and SQL console queries over HTTP against a
// real `next start` (tests/e2e/server.ts), the stored counts of every trace read through the
// server, and the same counts read in-process from a clean reference ingest. Not a test file.

import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../lib/db/instance.ts';
import { ROOT } from '../e2e/server.ts';

export interface HttpAnswer {
  status: number;
  ms: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or null when it is not JSON. */
  json: unknown;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export async function request(url: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<HttpAnswer> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, ms: performance.now() - t0, headers: res.headers, text, json: parseJson(text) };
}

export interface UploadOptions {
  filename?: string;
  name?: string;
  job?: string;
  /** Send without Content-Length (chunked transfer encoding), as a streaming client does. */
  chunked?: boolean;
  signal?: AbortSignal;
}

/** POST /api/traces with the file as the raw body, as the upload panel and the CLI hand-off do. */
export async function upload(serverUrl: string, file: string, opts: UploadOptions = {}): Promise<HttpAnswer> {
  const target = new URL('/api/traces', serverUrl);
  target.searchParams.set('filename', opts.filename ?? path.basename(file));
  if (opts.name) target.searchParams.set('name', opts.name);
  if (opts.job) target.searchParams.set('job', opts.job);
  const body = opts.chunked ? (fs.createReadStream(file) as unknown as ReadableStream<Uint8Array>) : await fs.openAsBlob(file);
  return request(target.href, {
    method: 'POST',
    body: body as BodyInit,
    headers: { 'content-type': 'application/octet-stream' },
    duplex: 'half',
    signal: opts.signal,
  });
}

/** One SELECT through the SQL console API; throws unless it answers 200. */
export async function sql<T>(serverUrl: string, text: string): Promise<T[]> {
  const r = await request(new URL('/api/sql', serverUrl).href, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sql: text }),
  });
  if (r.status !== 200) throw new Error(`SQL console answered ${r.status}: ${r.text.slice(0, 300)}`);
  const out = r.json as { columns: { name: string }[]; rows: unknown[][]; truncated: boolean };
  if (out.truncated) throw new Error('SQL console result truncated');
  return out.rows.map((row) => Object.fromEntries(out.columns.map((c, i) => [c.name, row[i]])) as T);
}

/** What "whole" means for one trace: the events recorded, stored, and its groups by status. */
export interface TraceCounts {
  recorded_events: number;
  events: number;
  groups_by_status: Record<string, number>;
}

export interface StoredTrace extends TraceCounts {
  trace_id: number;
  name: string;
  source_file: string;
}

const TRACE_ROWS = `SELECT t.trace_id, t.name, t.source_file, t.events AS recorded_events,
  (SELECT count(*) FROM events e WHERE e.trace_id = t.trace_id) AS events
  FROM traces t ORDER BY t.trace_id`;
const GROUP_ROWS = 'SELECT trace_id, status, count(*) AS n FROM fault_groups GROUP BY trace_id, status ORDER BY trace_id, status';
const ORPHAN_ROWS = `SELECT (SELECT count(*) FROM events WHERE trace_id NOT IN (SELECT trace_id FROM traces)) AS events,
  (SELECT count(*) FROM fault_groups WHERE trace_id NOT IN (SELECT trace_id FROM traces)) AS fault_groups`;

type Raw = Record<string, unknown>;

function assemble(traces: Raw[], groups: Raw[]): StoredTrace[] {
  return traces.map((t) => {
    const id = Number(t.trace_id);
    const groups_by_status = Object.fromEntries(groups.filter((g) => Number(g.trace_id) === id).map((g) => [String(g.status), Number(g.n)]));
    return {
      trace_id: id,
      name: String(t.name),
      source_file: String(t.source_file),
      recorded_events: Number(t.recorded_events),
      events: Number(t.events),
      groups_by_status,
    };
  });
}

/** Every stored trace with its counts, and the orphan rows, read through the server's SQL console. */
export async function storedTracesViaServer(serverUrl: string): Promise<{ traces: StoredTrace[]; orphans: { events: number; fault_groups: number } }> {
  const [traces, groups, [orphans]] = await Promise.all([sql<Raw>(serverUrl, TRACE_ROWS), sql<Raw>(serverUrl, GROUP_ROWS), sql<Raw>(serverUrl, ORPHAN_ROWS)]);
  return { traces: assemble(traces, groups), orphans: { events: Number(orphans!.events), fault_groups: Number(orphans!.fault_groups) } };
}

/** The same, read in-process (the server stopped). */
export async function storedTraces(db: Db): Promise<{ traces: StoredTrace[]; orphans: { events: number; fault_groups: number } }> {
  const [traces, groups, [orphans]] = await Promise.all([db.all(TRACE_ROWS), db.all(GROUP_ROWS), db.all(ORPHAN_ROWS)]);
  return { traces: assemble(traces, groups), orphans: { events: Number(orphans!.events), fault_groups: Number(orphans!.fault_groups) } };
}

export function countsOf(t: StoredTrace): TraceCounts {
  return { recorded_events: t.recorded_events, events: t.events, groups_by_status: t.groups_by_status };
}

/** Upload temp files in dir (what a server killed mid-upload leaves behind). */
export function uploadTempFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => f.endsWith('.upload'));
  } catch {
    return [];
  }
}

/** The production build must exist (the server tests run `next start`). */
export function assertBuilt(): void {
  if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('no production build: .next/BUILD_ID is missing. Run `npx next build` (npm run build) before the server tests.');
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pids of a process group (a server started by tests/e2e/server.ts is one), from /proc. */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the name: state, ppid, pgrp.
      if (Number(fields[2]) === pgid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The largest peak resident set (VmHWM, bytes) of any live process in the group. */
export function groupPeakRss(pgid: number): number {
  let peak = 0;
  for (const pid of groupPids(pgid)) {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // gone meanwhile
    }
  }
  return peak;
}
