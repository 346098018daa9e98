// Builds the one SQL statement that decodes an ftrace text file into staged rows, from the
// line prefix and the event decoders in the registry. Pure: returns SQL text with one bound
// parameter ($1, the file path); the store executes it. Each line's regexes run once: the
// prefix on every line, an event decoder only on lines whose event it owns.

import { DECODED_COLUMNS } from '../../schema.ts';
import type { FtraceEventFormat } from './event-format.ts';
import { LOST_CAPTURES, LOST_PATTERN, PREFIX_CAPTURES, PREFIX_PATTERN, SKIP_PATTERN } from './line.ts';
import { FTRACE_EVENT_FORMATS } from './registry.ts';

export interface LineReaderOptions {
  /** Longest accepted line in bytes; longer lines are rejected as bad lines, not fatal. */
  maxLineBytes: number;
  /** The file is gzip data (detected by magic number, so the name need not end in .gz). */
  gzip: boolean;
  /** A CRLF occurs anywhere in the file: read in CRLF mode, in which DuckDB also ends lines at a bare LF. */
  crlf: boolean;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const sqlList = (xs: readonly string[]) => `[${xs.map(sqlString).join(', ')}]`;

/**
 * DuckDB's CSV reader used as a plain line reader: one VARCHAR column, no quoting. The buffer
 * is sized from the line limit: DuckDB's own default grows with max_line_size and a raised
 * limit (64 MiB) then asked for 1 GiB, over the memory cap.
 */
export function readLinesSql(opts: LineReaderOptions, rejectsTable: string, rejectsScan: string): string {
  return `read_csv($1, columns = {'line': 'VARCHAR'}, delim = '\\x01', quote = '', escape = '', header = false,
    auto_detect = false, strict_mode = false, new_line = '${opts.crlf ? '\\r\\n' : '\\n'}', max_line_size = ${Math.floor(opts.maxLineBytes)},
    buffer_size = ${Math.max(32 << 20, 2 * Math.floor(opts.maxLineBytes))},
    compression = '${opts.gzip ? 'gzip' : 'none'}',
    ignore_errors = true, store_rejects = true, rejects_table = ${sqlString(rejectsTable)}, rejects_scan = ${sqlString(rejectsScan)})`;
}

// Not `p.event IN (...)`: DuckDB plans a long IN list as a join, and a join makes the plan
// lose file order, so CREATE TABLE AS would store rows out of order and every line number
// derived from the stage's rowids would be wrong (tests/db/decode-order.test.ts).
function ownerPredicate(fmt: FtraceEventFormat): string {
  const names = `list_contains(${sqlList(fmt.events)}, p.event)`;
  return fmt.when ? `(${names} AND ${fmt.when})` : names;
}

function matched(fmt: FtraceEventFormat): string {
  return `${fmt.id}.${fmt.captures[0]} <> ''`;
}

/**
 * SELECT producing, per physical line in file order: the normalised event columns, or a bad
 * line's reason and column, or nothing (skipped header). Insert it with CREATE TABLE AS so
 * that DuckDB keeps file order (rowid = kept-line index).
 */
export function ftraceDecodeSelect(opts: LineReaderOptions, rejectsTable: string, rejectsScan: string): string {
  const formats = FTRACE_EVENT_FORMATS;
  const structs = formats
    .map((f) => `CASE WHEN ${ownerPredicate(f)} THEN regexp_extract(msg, ${sqlString(f.pattern)}, ${sqlList(f.captures)}) END AS ${f.id}`)
    .join(',\n      ');

  // Which decoder owns the line: the first whose struct is non-NULL.
  const owner = `CASE ${formats.map((f) => `WHEN ${f.id} IS NOT NULL THEN '${f.id}'`).join(' ')} END`;

  const decoded = DECODED_COLUMNS.map((col) => {
    const arms = formats
      .filter((f) => f.columns[col] !== undefined)
      .map((f) => `WHEN ${f.id} IS NOT NULL AND ${matched(f)} THEN ${f.columns[col]}`);
    const lostArm = col === 'kind' ? `WHEN l.count <> '' THEN 'lost'` : col === 'detail' ? `WHEN l.count <> '' THEN l.count` : '';
    const otherArm = col === 'kind' ? `WHEN p.event <> '' AND owner IS NULL THEN 'other'` : '';
    return `CASE ${arms.join(' ')} ${lostArm} ${otherArm} END AS ${col}`;
  }).join(',\n    ');

  const badReason = `CASE
      WHEN p.event = '' AND l.count = '' AND NOT regexp_matches(line, ${sqlString(SKIP_PATTERN)}) THEN 'not an ftrace event line'
      ${formats
        .map(
          (f) =>
            `WHEN ${f.id} IS NOT NULL AND NOT ${matched(f)} THEN ${sqlString(`malformed ${f.events.length === 1 ? f.events[0] : f.describes} fields`)}
      WHEN ${f.id} IS NOT NULL AND NOT coalesce(${f.valid}, false) THEN ${sqlString(f.invalid)}`,
        )
        .join('\n      ')}
      WHEN p.event <> '' AND (${tsSql('p.ts')}) IS NULL THEN 'timestamp out of range'
    END`;

  return `
SELECT
    CASE WHEN kind IS NOT NULL AND bad_reason IS NULL THEN kind END AS kind,
    CASE WHEN kind = 'lost' THEN NULL ELSE ${tsSql('p.ts')} END AS ts_ns,
    TRY_CAST(CASE WHEN kind = 'lost' THEN l.cpu ELSE p.cpu END AS SMALLINT) AS cpu,
    CASE WHEN p.comm <> '' THEN p.comm END AS task,
    TRY_CAST(p.pid AS INTEGER) AS pid,
    CASE WHEN p.event <> '' THEN p.event END AS event,
    iommu, device, rid, pasid, prgi, last, addr, perm, code, seq,
    rtrim(detail, chr(13)) AS detail,
    bad_reason,
    CASE WHEN bad_reason IS NULL THEN NULL WHEN p.event = '' THEN 1 ELSE length(p.head) + 1 END AS bad_column,
    CASE WHEN bad_reason IS NOT NULL THEN left(line, 160) END AS bad_text
FROM (
  SELECT *,
    ${decoded},
    ${badReason} AS bad_reason
  FROM (
    SELECT *, ${owner} AS owner
    FROM (
      SELECT line, p, l, msg,
      ${structs}
      FROM (
        SELECT line, p, CASE WHEN p.event <> '' THEN substr(line, length(p.head) + 1) ELSE '' END AS msg,
          CASE WHEN p.event = '' THEN regexp_extract(line, ${sqlString(LOST_PATTERN)}, ${sqlList(LOST_CAPTURES)}) END AS l
        FROM (
          SELECT line, regexp_extract(line, ${sqlString(PREFIX_PATTERN)}, ${sqlList(PREFIX_CAPTURES)}) AS p
          FROM ${readLinesSql(opts, rejectsTable, rejectsScan)}
        )
      )
    )
  )
)`;
}

/**
 * SQL: ftrace "seconds.fraction" to integer ns. A bare integer (counter clocks) is read as
 * seconds too, since the unit is unknown; more than 9 digits of seconds would overflow 64-bit
 * ns and gives NULL, reported as "timestamp out of range".
 */
function tsSql(expr: string): string {
  return `CASE WHEN length(split_part(${expr}, '.', 1)) <= 9 THEN TRY_CAST(split_part(${expr}, '.', 1) AS BIGINT) * 1000000000 + TRY_CAST(rpad(split_part(${expr}, '.', 2), 9, '0') AS BIGINT) END`;
}
