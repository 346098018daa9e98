// Stores fault_groups for one trace (docs/pairing.md), inside the ingest's transaction: the
// page events, collected as the decoders' batches or the simulator parser's rows went by
// (trace/page-event-collector.ts), are read back in (time, line) order and paired in JS
// (lib/trace/pairing.ts), and the groups appended to a temp table as DataChunks while the
// walk lets them go; SQL then numbers them, joins the (IOMMU, device) strings back and
// subtracts the times. The keys' strings are a small code dk, so neither side moves a string
// per event: the node appender costs ~0.45 µs per string, more than the whole walk per event.

import type { CollectedPageEvents } from '../trace/page-event-collector.ts';
import { keyPasid, keyPrgi, PairingWalk, type GroupRows } from '../trace/pairing.ts';
import { GROUP_STATUSES } from '../trace/schema.ts';
import { collectGarbage } from './collect-garbage.ts';
import type { ColumnBlock } from '../db/column-append.ts';
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
 * transaction): an ingest pairs before it moves its stage into `events`, whose peak memory is
 * the ingest's.
 */
export async function stageFaultGroups(db: Db, collected: CollectedPageEvents): Promise<StagedGroups> {
  const n = ++tempSeq;
  const tables = { keys: `pair_dev_${n}`, groups: `pair_groups_${n}` };
  const drop = async () => {
    await db.run(`DROP TABLE IF EXISTS ${tables.groups}`);
    await db.run(`DROP TABLE IF EXISTS ${tables.keys}`);
  };
  let exactBelow: number;
  try {
    exactBelow = await appendPaired(db, collected, tables);
  } catch (e) {
    // A failed statement aborts the transaction, which then refuses the DROP as well (and
    // takes the temp tables with it): the first error is the one that says what went wrong.
    await drop().catch(() => undefined);
    throw e;
  }
  // The walk's blocks of groups are garbage now; collected before the stage moves into events.
  collectGarbage(collected.n);
  return {
    async insert(traceId, onProgress) {
      // group_no is a group's rank by the (time, line) that places it: its last-page request,
      // else its response (an orphan), else its first request and lowest line (incomplete).
      // The walk ranks the placed groups; only those from the first incomplete group's time
      // on, where incomplete ones fall between them, are numbered by a sort (none on most
      // traces). Two statements: a window beside the plain rows ran the insert on one thread.
      const insert = (groupNo: string, where: string, progress?: (fraction: number) => void) =>
        db.run(
          `INSERT INTO fault_groups
           SELECT $1, g.group_no, d.iommu, d.device, nullif(g.pasid, -1), nullif(g.prgi, -1),
             ${sqlList(GROUP_STATUSES)}[g.status + 1], g.pages, g.first_ts, g.last_ts, g.response_ts, g.code,
             CASE WHEN g.status = ${ANSWERED} THEN g.response_ts - g.last_ts END, CASE WHEN g.status = ${ANSWERED} THEN g.response_ts - g.first_ts END,
             g.first_line, g.last_line, g.response_line
           FROM (SELECT ${groupNo} AS group_no, * FROM ${tables.groups} WHERE ${where}) g JOIN ${tables.keys} d USING (dk)`,
          [traceId, exactBelow],
          progress,
        );
      await insert('placed + 1', 'placed < $2', onProgress);
      await insert(
        '$2 + row_number() OVER (ORDER BY coalesce(last_ts, response_ts, first_ts), coalesce(last_line, response_line, first_line))',
        'placed IS NULL OR placed >= $2',
      );
    },
    drop,
  };
}

/** Pairs and appends the groups; returns the walk's exactBelow (PairingWalk.end). */
async function appendPaired(db: Db, collected: CollectedPageEvents, tables: { keys: string; groups: string }): Promise<number> {
  await db.run(`CREATE TEMP TABLE ${tables.keys} (dk INTEGER, iommu VARCHAR, device VARCHAR)`);
  const keyRows = await db.appender(tables.keys, ['integer', 'varchar', 'varchar']);
  collected.keys.forEach((k, dk) => keyRows.row([dk, k.iommu, k.device]));
  keyRows.close();
  await db.run(
    `CREATE TEMP TABLE ${tables.groups} (placed INTEGER, dk INTEGER, pasid INTEGER, prgi INTEGER, status UTINYINT, pages INTEGER,
       first_ts BIGINT, last_ts BIGINT, response_ts BIGINT, code SMALLINT, first_line UINTEGER, last_line UINTEGER, response_line UINTEGER)`,
  );
  const walked = { exactBelow: 0 };
  await db.appendColumns(tables.groups, groupBlocks(collected, walked));
  return walked.exactBelow;
}

/** The group table's blocks as the walk lets its groups go; sets walked.exactBelow at the end. */
function* groupBlocks(collected: CollectedPageEvents, walked: { exactBelow: number }): Generator<ColumnBlock> {
  const walk = new PairingWalk();
  for (const block of collected.blocks()) {
    walk.add(block);
    for (const g of walk.take()) yield groupColumns(g);
  }
  const { blocks, exactBelow } = walk.end();
  walked.exactBelow = exactBelow;
  for (const g of blocks) yield groupColumns(g);
}

function groupColumns(g: GroupRows): ColumnBlock {
  const rows = g.rows;
  const pasid = new Int32Array(rows);
  const prgi = new Int32Array(rows);
  // Incomplete groups have no rank (placed −1): NULL.
  const placedValid = new Uint8Array(Math.ceil(rows / 64) * 8);
  for (let r = 0; r < rows; r++) {
    pasid[r] = keyPasid(g.key[r]!);
    prgi[r] = keyPrgi(g.key[r]!);
    if (g.placed[r]! >= 0) placedValid[r >>> 3]! |= 1 << (r & 7);
  }
  return {
    rows,
    cols: [
      { data: g.placed.buffer, width: 4, valid: placedValid.buffer },
      { data: g.dk.buffer, width: 4 },
      { data: pasid.buffer, width: 4 },
      { data: prgi.buffer, width: 4 },
      { data: g.status.buffer, width: 1 },
      { data: g.pages.buffer, width: 4 },
      { data: g.firstTs.buffer, width: 8, valid: g.firstValid.buffer },
      { data: g.lastTs.buffer, width: 8, valid: g.lastValid.buffer },
      { data: g.responseTs.buffer, width: 8, valid: g.responseValid.buffer },
      { data: g.code.buffer, width: 2, valid: g.codeValid.buffer },
      { data: g.firstLine.buffer, width: 4, valid: g.firstValid.buffer },
      { data: g.lastLine.buffer, width: 4, valid: g.lastValid.buffer },
      { data: g.responseLine.buffer, width: 4, valid: g.responseValid.buffer },
    ],
  };
}

const ANSWERED = GROUP_STATUSES.indexOf('answered');
const sqlList = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
