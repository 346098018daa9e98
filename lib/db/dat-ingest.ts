// Stages a trace-cmd .dat file for ingest: the reader (formats/dat) streams its records in
// report order through DuckDB's appender into a raw temp table, then one statement decodes
// them with the ftrace decoders' own SQL into the stage table the text path fills, so the
// rest of ingest (store, pairing, commit) is shared. Progress is by ring-buffer bytes read.
// A structural fault in the file (DatFormatError) rejects the trace with its location.

import fs from 'node:fs';
import { TraceRejectedError } from '../core/errors.ts';
import { datDecodeSelect, datRawTableSql, DAT_CAPTURE_COLUMNS, DAT_RAW_COLUMNS } from '../trace/formats/dat/decode-sql.ts';
import { DatFormatError } from '../trace/formats/dat/errors.ts';
import { isDatMagic } from '../trace/formats/dat/metadata.ts';
import { readDat } from '../trace/formats/dat/reader.ts';
import type { ByteSource } from '../trace/formats/dat/source.ts';
import type { Db, SqlParam } from './instance.ts';

/** Whether the file starts with trace-cmd's magic (17 08 44 "tracing"). */
export function isTraceDat(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(10);
    return fs.readSync(fd, b, 0, 10, 0) === 10 && isDatMagic(b);
  } finally {
    fs.closeSync(fd);
  }
}

/** Positional reads on an open descriptor: the reader asks for ranges, never the whole file. */
function fileSource(fd: number, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const r = await new Promise<number>((resolve, reject) => fs.read(fd, buf, got, n - got, offset + got, (e, b) => (e ? reject(e) : resolve(b))));
        if (r === 0) break;
        got += r;
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, got);
    },
  };
}

export interface DatStaging {
  stage: string;
  rejects: string;
  raw: string;
}

/**
 * Fills `t.stage` (same columns as the ftrace stage) and an empty `t.rejects` from the .dat
 * file. Runs before the ingest's transaction, like the text decode; the caller drops the tables.
 */
export async function decodeDat(db: Db, t: DatStaging, file: string, display: string, onFraction: (f: number) => void): Promise<void> {
  await db.run(`CREATE TEMP TABLE ${t.rejects} (line BIGINT, error_message VARCHAR)`);
  await db.run(datRawTableSql(t.raw));
  const fd = fs.openSync(file, 'r');
  try {
    const src = fileSource(fd, fs.fstatSync(fd).size);
    const appender = await db.appender(
      t.raw,
      DAT_RAW_COLUMNS.map(([, k]) => k),
    );
    let n = 0;
    try {
      for await (const batch of readDat(src)) {
        for (const r of batch.rows) {
          const row: SqlParam[] = [n++, r.tsNs, r.cpu, r.task, r.pid, r.event, r.type, r.owner];
          for (let i = 0; i < DAT_CAPTURE_COLUMNS; i++) row.push(r.captures?.[i] ?? null);
          row.push(r.msg, r.lostCount, r.bad);
          appender.row(row);
        }
        onFraction(batch.bytesTotal ? batch.bytesDone / batch.bytesTotal : 1);
      }
    } finally {
      appender.close();
    }
  } catch (e) {
    if (e instanceof DatFormatError) throw new TraceRejectedError(display, `not a readable trace-cmd file: ${e.message}; nothing was stored`, [], { cause: e });
    throw e;
  } finally {
    fs.closeSync(fd);
  }
  await db.run(`CREATE TEMP TABLE ${t.stage} AS ${datDecodeSelect(t.raw)}`);
}
