// The SQL that turns the rows a trace.dat yields (reader.ts: prefix columns, the owning
// ftrace decoder's id and captures) into the same staged columns the ftrace text decode
// produces, by running that decoder's own column expressions (formats/ftrace/*) over the
// captures: one definition of every PRI event's decoding for text and .dat. Pure: returns
// SQL text over a raw table name the store created; the store executes it.

import { DECODED_COLUMNS } from '../../schema.ts';
import { FTRACE_EVENT_FORMATS } from '../ftrace/registry.ts';

/** Most captures any ftrace decoder has: the raw table holds that many c0..cN columns. */
export const DAT_CAPTURE_COLUMNS = Math.max(...FTRACE_EVENT_FORMATS.map((f) => f.captures.length));

/** Column names and appender kinds of the raw table, in order. */
export const DAT_RAW_COLUMNS = [
  ['n', 'bigint'],
  ['ts_ns', 'bigint'],
  ['cpu', 'smallint'],
  ['task', 'varchar'],
  ['pid', 'integer'],
  ['event', 'varchar'],
  ['rtype', 'varchar'],
  ['owner', 'varchar'],
  ...Array.from({ length: DAT_CAPTURE_COLUMNS }, (_, i) => [`c${i}`, 'varchar'] as const),
  ['msg', 'varchar'],
  ['lost', 'bigint'],
  ['bad', 'varchar'],
] as const;

const SQL_TYPE = { bigint: 'BIGINT', smallint: 'SMALLINT', varchar: 'VARCHAR', integer: 'INTEGER' } as const;

export function datRawTableSql(table: string): string {
  return `CREATE TEMP TABLE ${table} (${DAT_RAW_COLUMNS.map(([n, k]) => `${n} ${SQL_TYPE[k]}`).join(', ')})`;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** SELECT producing the ftrace stage columns, in record order, from the raw table. */
export function datDecodeSelect(raw: string): string {
  const formats = FTRACE_EVENT_FORMATS;
  const structs = formats
    .map((f) => `CASE WHEN owner = ${sqlString(f.id)} THEN struct_pack(${f.captures.map((c, i) => `${c} := c${i}`).join(', ')}) END AS ${f.id}`)
    .join(',\n      ');
  const decoded = DECODED_COLUMNS.map((col) => {
    const arms = formats.filter((f) => f.columns[col] !== undefined).map((f) => `WHEN ${f.id} IS NOT NULL THEN ${f.columns[col]}`);
    const lost = col === 'kind' ? `WHEN rtype = 'lost' THEN 'lost'` : col === 'detail' ? `WHEN rtype = 'lost' THEN CAST(lost AS VARCHAR)` : '';
    const other = col === 'kind' ? `WHEN rtype = 'event' AND owner IS NULL THEN 'other'` : '';
    return `CASE ${lost} ${arms.join(' ')} ${other} END AS ${col}`;
  }).join(',\n    ');
  const bad = `CASE WHEN rtype = 'bad' THEN bad
      ${formats.map((f) => `WHEN ${f.id} IS NOT NULL AND NOT coalesce(${f.valid}, false) THEN ${sqlString(f.invalid)}`).join('\n      ')}
    END`;
  return `
SELECT
  CASE WHEN bad_reason IS NULL THEN kind END AS kind,
  ts_ns, cpu, task, pid, event,
  iommu, device, rid, pasid, prgi, last, addr, perm, code, seq, detail,
  bad_reason,
  CASE WHEN bad_reason IS NOT NULL THEN 1 END AS bad_column,
  CASE WHEN bad_reason IS NOT NULL THEN concat(coalesce(event, 'record'), ' on CPU ', cpu, ' at ', ts_ns, ' ns') END AS bad_text
FROM (
  SELECT *, ${decoded}, ${bad} AS bad_reason
  FROM (SELECT *, ${structs} FROM ${raw})
)
ORDER BY n`;
}
