// Stages a trace-cmd .dat file for ingest: the reader (formats/dat) streams its records in
// report order, its decoder turns them into the columnar batches the text decoder makes,
// and they fill the same stage tables, so the rest of ingest (store, pairing, commit) is
// shared. Progress is by ring-buffer bytes read. A structural fault in the file
// (DatFormatError) rejects the trace with its location.

import fs from 'node:fs';
import { TraceRejectedError } from '../core/errors.ts';
import type { PartSummary } from '../trace/event-rows.ts';
import { DatDecoder } from '../trace/formats/dat/decode.ts';
import { DatFormatError } from '../trace/formats/dat/errors.ts';
import { isDatMagic } from '../trace/formats/dat/metadata.ts';
import { readDat } from '../trace/formats/dat/reader.ts';
import type { ByteSource } from '../trace/formats/dat/source.ts';
import { openStage, summarise, type StagedTrace, type StageTables } from './ftrace-ingest.ts';
import type { Db } from '../db/instance.ts';
import type { IngestLimits } from '../db/limits.ts';
import type { SpillStore } from '../trace/page-event-collector.ts';

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

/**
 * Decodes the .dat file into the stage tables the text path fills (ftrace-ingest.ts; created
 * here, dropped by the caller), before the ingest's transaction. Returns the same counts.
 */
export async function stageDat(
  db: Db,
  t: StageTables,
  opts: { file: string; display: string; limits: IngestLimits; keepBad: number; spill: SpillStore; onFraction: (f: number) => void },
): Promise<StagedTrace> {
  const stage = await openStage(db, t, opts.limits.maxEvents, opts.spill);
  const fd = fs.openSync(opts.file, 'r');
  let summary: PartSummary;
  try {
    const decoder = new DatDecoder({ keepBad: opts.keepBad, emit: (b) => stage.append(b) });
    for await (const batch of readDat(fileSource(fd, fs.fstatSync(fd).size))) {
      for (const r of batch.rows) decoder.push(r);
      opts.onFraction(batch.bytesTotal ? batch.bytesDone / batch.bytesTotal : 1);
    }
    summary = decoder.finish();
  } catch (e) {
    if (e instanceof DatFormatError)
      throw new TraceRejectedError(opts.display, `not a readable trace-cmd file: ${e.message}; nothing was stored`, [], { cause: e });
    throw e;
  } finally {
    stage.close();
    fs.closeSync(fd);
  }
  return summarise(db, t, [summary], opts.display, opts.keepBad, stage.collector);
}
