// Reads a query's fixed-width columns into typed arrays, one memory copy per vector and
// chunk: the reverse of column-append.ts, for work done in JS over millions of rows (pairing,
// lib/trace/pairing.ts) where a row object per value would cost more than the work. Store
// layer only: instance.ts lends it through Db.readColumns.

import duckdb from '@duckdb/node-bindings';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

/** Bytes per value of each column, in select order: 1 UTINYINT, 2 SMALLINT, 4 INTEGER/UINTEGER, 8 BIGINT. */
export type ColumnWidth = 1 | 2 | 4 | 8;

export interface ReadColumns {
  rows: number;
  /** One buffer per column holding rows × width bytes, little-endian as DuckDB stores them. */
  data: ArrayBuffer[];
}

/**
 * Runs sql and copies each column's values out. A NULL has no value to copy, so the query
 * must not produce one (coalesce it): a NULL fails the read rather than read as garbage.
 */
export async function readColumns(conn: DuckDBConnection, sql: string, params: readonly DuckDBValue[], widths: readonly ColumnWidth[]): Promise<ReadColumns> {
  const result = await conn.stream(sql, params as DuckDBValue[]);
  if (result.columnCount !== widths.length) throw new Error(`query has ${result.columnCount} columns, ${widths.length} widths given`);
  let cap = 1 << 16;
  let cols = widths.map((w) => new Uint8Array(cap * w));
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    const n = chunk?.rowCount ?? 0;
    if (!chunk || n === 0) break;
    if (rows + n > cap) {
      while (rows + n > cap) cap *= 2;
      cols = cols.map((c, i) => {
        const grown = new Uint8Array(cap * widths[i]!);
        grown.set(c.subarray(0, rows * widths[i]!));
        return grown;
      });
    }
    for (let c = 0; c < widths.length; c++) {
      const vec = duckdb.data_chunk_get_vector(chunk.chunk, c);
      // No mask (null) means every row is valid; else each of the n bits must be set.
      const valid = duckdb.vector_get_validity(vec, Math.ceil(n / 64) * 8) as Uint8Array | null;
      if (valid) {
        for (let r = 0; r < n; r += 8) {
          if (valid[r >>> 3] === 255 && r + 8 <= n) continue;
          for (let b = r; b < Math.min(n, r + 8); b++) {
            if (!(valid[b >>> 3]! & (1 << (b & 7)))) throw new Error(`column ${result.columnName(c)} has a NULL at row ${rows + b}`);
          }
        }
      }
      cols[c]!.set(duckdb.vector_get_data(vec, n * widths[c]!), rows * widths[c]!);
    }
    rows += n;
  }
  return { rows, data: cols.map((c, i) => c.buffer.slice(0, rows * widths[i]!)) };
}
