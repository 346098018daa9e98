// Stores fault_groups for one trace (docs/pairing.md), inside the ingest's transaction: the
// page events, collected from the decoders' batches or read back out of `events` as typed
// arrays, are paired in JS (lib/trace/pairing.ts) and the groups appended to temp tables as
// DataChunks; SQL then joins the (IOMMU, device) strings back and subtracts the times. The
// keys' strings are a small code dk, so neither side moves a string per event: the node
// appender costs ~0.45 µs per string, more than the whole walk per event.

import { NO_CODE, type CollectedPageEvents } from '../trace/page-event-collector.ts';
import { keyPasid, keyPrgi, PAIR_LAST, PAIR_RESPONSE, PAIR_SKIP, PAIR_STOP, pairEvents, type PairedGroups, type PairingEvents } from '../trace/pairing.ts';
import { GROUP_STATUSES } from '../trace/schema.ts';
import { collectGarbage } from './collect-garbage.ts';
import type { ColumnBlock, ColumnData } from '../db/column-append.ts';
import type { Db } from '../db/instance.ts';

let tempSeq = 0;

const PAGE_EVENTS = `trace_id = $1 AND kind IN ('page_request', 'page_response')`;

/** Pairs a trace whose events are in `events` (every ingest path but the staged one, and tests). */
export async function deriveFaultGroups(db: Db, traceId: number, onProgress?: (fraction: number) => void): Promise<void> {
  const devTable = `pair_keys_${++tempSeq}`;
  await db.run(
    `CREATE TEMP TABLE ${devTable} AS
     SELECT iommu, device, CAST(row_number() OVER () - 1 AS INTEGER) AS dk
     FROM (SELECT DISTINCT coalesce(iommu, '') AS iommu, coalesce(device, '') AS device FROM events WHERE ${PAGE_EVENTS})`,
    [traceId],
  );
  try {
    const stop = `(kind = 'page_request' AND coalesce(last, false) AND perm = '')`;
    const read = await db.readColumns(
      `SELECT dk, CASE WHEN coalesce(pasid, -1) BETWEEN -1 AND ${PASID_MAX} AND coalesce(prgi, -1) BETWEEN -1 AND ${PRGI_MAX}
           THEN (coalesce(pasid, -1) + 1) * 1024 + (coalesce(prgi, -1) + 1)
           ELSE error('pairing: pasid or prgi out of range at line ' || line) END,
         coalesce(ts_ns, error('pairing: page event without a timestamp at line ' || line)), CAST(line AS UINTEGER),
         ${flagsSql(`kind = 'page_response'`, stop)}, coalesce(CAST(code AS INTEGER), ${NO_CODE})
       FROM events e JOIN ${devTable} d ON d.iommu = coalesce(e.iommu, '') AND d.device = coalesce(e.device, '')
       WHERE ${PAGE_EVENTS}`,
      [traceId],
      [4, 4, 8, 4, 1, 4],
    );
    const keys = await db.all<{ dk: number; iommu: string; device: string }>(`SELECT dk, iommu, device FROM ${devTable}`);
    const byDk = new Array<{ iommu: string; device: string }>(keys.length);
    for (const k of keys) byDk[k.dk] = { iommu: k.iommu, device: k.device };
    const events: PairingEvents = {
      n: read.rows,
      dk: new Int32Array(read.data[0]!),
      key: new Int32Array(read.data[1]!),
      ts: new Int32Array(read.data[2]!),
      line: new Uint32Array(read.data[3]!),
      flags: new Uint8Array(read.data[4]!),
    };
    onProgress?.(0.3);
    const groups = await stageFaultGroups(db, () => ({ events, code: new Int32Array(read.data[5]!), keys: byDk }));
    try {
      onProgress?.(0.6);
      await groups.insert(traceId, (f) => onProgress?.(0.6 + 0.4 * f));
    } finally {
      await groups.drop();
    }
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${devTable}`);
  }
}

/** The flags byte (trace/pairing.ts) in SQL; stop is SQL's three-valued stop-marker test, NULL for a last-page request of unknown access. */
function flagsSql(isResponse: string, stop: string): string {
  return `CAST(CASE WHEN ${isResponse} THEN ${PAIR_RESPONSE} ELSE 0 END + CASE WHEN coalesce(last, false) THEN ${PAIR_LAST} ELSE 0 END
    + CASE WHEN ${stop} THEN ${PAIR_STOP} WHEN ${stop} IS NULL THEN ${PAIR_SKIP} ELSE 0 END AS UTINYINT)`;
}

/** A trace's fault groups paired and held in temp tables, until inserted into fault_groups. */
export interface StagedGroups {
  insert(traceId: number, onProgress?: (fraction: number) => void): Promise<void>;
  /** Drops the temp tables; call it whatever happened. */
  drop(): Promise<void>;
}

/**
 * Pairs collected page events and appends the groups to temp tables (joining the open
 * transaction), so the events' arrays can go before the next big statement: an ingest pairs
 * before it moves its stage into `events`, whose peak memory is the ingest's.
 */
export async function stageFaultGroups(db: Db, collect: () => CollectedPageEvents): Promise<StagedGroups> {
  const n = ++tempSeq;
  const tables = { keys: `pair_dev_${n}`, groups: `pair_groups_${n}` };
  const drop = async () => {
    await db.run(`DROP TABLE IF EXISTS ${tables.groups}`);
    await db.run(`DROP TABLE IF EXISTS ${tables.keys}`);
  };
  let events = 0;
  try {
    // The events live only in this call's frame, so they are garbage once it returns.
    events = await appendPaired(db, collect(), tables);
  } catch (e) {
    await drop();
    throw e;
  }
  collectGarbage(events);
  return {
    async insert(traceId, onProgress) {
      await db.run(
        `INSERT INTO fault_groups
         SELECT $1, g.group_no, d.iommu, d.device, nullif(g.pasid, -1), nullif(g.prgi, -1),
           ${sqlList(GROUP_STATUSES)}[g.status + 1], g.pages, g.first_ts, g.last_ts, g.response_ts, g.code,
           CASE WHEN g.status = ${ANSWERED} THEN g.response_ts - g.last_ts END, CASE WHEN g.status = ${ANSWERED} THEN g.response_ts - g.first_ts END,
           g.first_line, g.last_line, g.response_line
         FROM ${tables.groups} g JOIN ${tables.keys} d USING (dk)`,
        [traceId],
        onProgress,
      );
    },
    drop,
  };
}

/** Pairs and appends the groups; returns the number of events. */
async function appendPaired(db: Db, collected: CollectedPageEvents, tables: { keys: string; groups: string }): Promise<number> {
  // What collecting left behind (the per-batch slices) goes before the pairing's own arrays come.
  collectGarbage(collected.events.n);
  const groups = pairEvents(collected.events);
  await db.run(`CREATE TEMP TABLE ${tables.keys} (dk INTEGER, iommu VARCHAR, device VARCHAR)`);
  const keyRows = await db.appender(tables.keys, ['integer', 'varchar', 'varchar']);
  collected.keys.forEach((k, dk) => keyRows.row([dk, k.iommu, k.device]));
  keyRows.close();
  await db.run(
    `CREATE TEMP TABLE ${tables.groups} (group_no UINTEGER, dk INTEGER, pasid INTEGER, prgi INTEGER, status UTINYINT, pages INTEGER,
       first_ts BIGINT, last_ts BIGINT, response_ts BIGINT, code SMALLINT, first_line UINTEGER, last_line UINTEGER, response_line UINTEGER)`,
  );
  await db.appendColumns(tables.groups, groupBlocks(collected.events, collected.code, groups));
  return collected.events.n;
}

/** Rows of the group table appended per block: the columns of all groups at once were ~60 bytes a group. */
const BLOCK_ROWS = 1 << 16;

/** The group table's columns, in its order, a block of rows at a time in group_no order; times and lines of absent events are NULL. */
function* groupBlocks(ev: PairingEvents, code: Int32Array, g: PairedGroups): Generator<ColumnBlock> {
  for (let from = 0; from < g.n; from += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, g.n - from);
    yield { rows, cols: groupColumns(ev, code, g, from, rows) };
  }
}

function groupColumns(ev: PairingEvents, code: Int32Array, g: PairedGroups, from: number, rows: number): ColumnData[] {
  const validBytes = Math.ceil(rows / 64) * 8;
  const groupNo = new Uint32Array(rows);
  const dk = new Int32Array(rows);
  const pasid = new Int32Array(rows);
  const prgi = new Int32Array(rows);
  const status = new Uint8Array(rows);
  const pages = new Int32Array(rows);
  const codes = new Int16Array(rows);
  const codeValid = new Uint8Array(validBytes);
  // One time and one line column per event role; an int64 time is two int32 halves.
  const role = () => ({ ts: new Int32Array(2 * rows), line: new Uint32Array(rows), valid: new Uint8Array(validBytes) });
  const first = role();
  const last = role();
  const response = role();
  const put = (to: ReturnType<typeof role>, r: number, e: number, line: number) => {
    to.ts[2 * r] = ev.ts[2 * e]!;
    to.ts[2 * r + 1] = ev.ts[2 * e + 1]!;
    to.line[r] = line;
    to.valid[r >>> 3]! |= 1 << (r & 7);
  };
  for (let r = 0; r < rows; r++) {
    const x = g.order[from + r]!;
    groupNo[r] = from + r + 1;
    const k = g.key[x]!;
    dk[r] = ev.dk[k]!;
    pasid[r] = keyPasid(ev.key[k]!);
    prgi[r] = keyPrgi(ev.key[k]!);
    status[r] = g.status[x]!;
    pages[r] = g.pages[x]!;
    const f = g.first[x]!;
    if (f >= 0) put(first, r, f, g.firstLine[x]! >>> 0);
    const l = g.last[x]!;
    if (l >= 0) put(last, r, l, ev.line[l]!);
    const resp = g.response[x]!;
    if (resp >= 0) {
      put(response, r, resp, ev.line[resp]!);
      if (code[resp] !== NO_CODE) {
        codes[r] = code[resp]!;
        codeValid[r >>> 3]! |= 1 << (r & 7);
      }
    }
  }
  return [
    { data: groupNo.buffer, width: 4 },
    { data: dk.buffer, width: 4 },
    { data: pasid.buffer, width: 4 },
    { data: prgi.buffer, width: 4 },
    { data: status.buffer, width: 1 },
    { data: pages.buffer, width: 4 },
    { data: first.ts.buffer, width: 8, valid: first.valid.buffer },
    { data: last.ts.buffer, width: 8, valid: last.valid.buffer },
    { data: response.ts.buffer, width: 8, valid: response.valid.buffer },
    { data: codes.buffer, width: 2, valid: codeValid.buffer },
    { data: first.line.buffer, width: 4, valid: first.valid.buffer },
    { data: last.line.buffer, width: 4, valid: last.valid.buffer },
    { data: response.line.buffer, width: 4, valid: response.valid.buffer },
  ];
}

/** The fields' largest values (trace/pairing.ts keyInRange). */
const PASID_MAX = 1048575;
const PRGI_MAX = 511;
const ANSWERED = GROUP_STATUSES.indexOf('answered');
const sqlList = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
