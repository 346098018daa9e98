// Stores fault_groups for one trace (docs/pairing.md), inside the ingest's transaction: the
// page events, collected as the decoders' batches or the simulator parser's rows went by
// (trace/page-event-collector.ts), are paired in JS (lib/trace/pairing.ts) and the groups
// appended to temp tables as DataChunks; SQL then joins the (IOMMU, device) strings back and
// subtracts the times. The keys' strings are a small code dk, so neither side moves a string
// per event: the node appender costs ~0.45 µs per string, more than the whole walk per event.

import { NO_CODE, type CollectedPageEvents } from '../trace/page-event-collector.ts';
import { keyPasid, keyPrgi, pairEvents, type PairedGroups, type PairingEvents } from '../trace/pairing.ts';
import { GROUP_STATUSES } from '../trace/schema.ts';
import { collectGarbage } from './collect-garbage.ts';
import type { ColumnBlock, ColumnData } from '../db/column-append.ts';
import type { Db } from '../db/instance.ts';

let tempSeq = 0;

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
function* groupBlocks(ev: PairingEvents, code: Int8Array, g: PairedGroups): Generator<ColumnBlock> {
  for (let from = 0; from < g.n; from += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, g.n - from);
    yield { rows, cols: groupColumns(ev, code, g, from, rows) };
  }
}

function groupColumns(ev: PairingEvents, code: Int8Array, g: PairedGroups, from: number, rows: number): ColumnData[] {
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

const ANSWERED = GROUP_STATUSES.indexOf('answered');
const sqlList = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
