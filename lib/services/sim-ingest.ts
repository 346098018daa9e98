// Stages a simulator trace (CSV or JSON Lines) for ingest: its records, parsed and checked in
// sim-csv.ts / sim-jsonl.ts, become the columnar batches the ftrace and .dat decoders make and
// fill the same stage tables, so the rest of ingest (pairing, the move into events, commit)
// is shared. Appended row by row through DuckDB's appender, the 1 M-row bench CSV took
// 10-13 s, ~40 % of it in the appender's per-value calls.

import fs from 'node:fs';
import { TraceRejectedError } from '../core/errors.ts';
import { EventRowWriter } from '../trace/event-rows.ts';
import { EventFields, permBits } from '../trace/formats/ftrace/event-format.ts';
import { KIND_CODE } from '../trace/formats/ftrace/kind-codes.ts';
import { parseSimCsv } from '../trace/formats/sim-csv.ts';
import { parseSimJsonl } from '../trace/formats/sim-jsonl.ts';
import type { Parsed } from '../trace/formats/sim-record.ts';
import type { TraceEvent } from '../trace/schema.ts';
import type { Db } from '../db/instance.ts';
import type { IngestLimits } from '../db/limits.ts';
import type { SpillStore } from '../trace/page-event-collector.ts';
import { lineStream, textSource } from './file-source.ts';
import { openStage, summarise, type StagedTrace, type StageTables } from './ftrace-ingest.ts';

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** A simulator event's fields as the decoders write them (sim-record.ts has checked their ranges). */
function fieldsOf(e: TraceEvent, f: EventFields): void {
  f.reset();
  f.kind = KIND_CODE[e.kind];
  f.iommu = e.iommu;
  f.device = e.device;
  f.rid = e.rid ?? -1;
  f.pasid = e.pasid ?? -1;
  f.prgi = e.prgi ?? -1;
  f.last = e.last === null ? -1 : e.last ? 1 : 0;
  if (e.addr !== null) {
    // Through a Number when exact (user-space addresses are), not two BigInts per row.
    if (e.addr <= MAX_EXACT) {
      const a = Number(e.addr);
      f.addrHi = Math.floor(a / 4294967296);
      f.addrLo = a % 4294967296;
    } else {
      f.addrHi = Number(e.addr >> 32n);
      f.addrLo = Number(e.addr & 0xffffffffn);
    }
  }
  // Written in 'rwxp' order (checked), so the stored text is the one read.
  if (e.perm !== null) f.perm = permBits(e.perm.includes('r'), e.perm.includes('w'), e.perm.includes('x'), e.perm.includes('p'));
  f.code = e.code ?? -1;
}

/**
 * Parses the file into the stage tables (created here; the caller drops them), before the
 * ingest's transaction. Stops at the first event over the event limit rather than parse the
 * rest of a huge file.
 */
export async function stageSim(
  db: Db,
  t: StageTables,
  opts: {
    file: string;
    gzip: boolean;
    format: 'sim-csv' | 'sim-jsonl';
    display: string;
    limits: IngestLimits;
    keepBad: number;
    spill: SpillStore;
    /** Decode progress, by the file's bytes read, once a batch of rows is staged. */
    onFraction: (f: number) => void;
  },
): Promise<StagedTrace> {
  const { display, limits } = opts;
  const stage = await openStage(db, t, limits.maxEvents, opts.spill);
  const source = textSource(opts.file, opts.gzip, limits.maxDecompressedBytes, display);
  const size = Math.max(1, fs.statSync(opts.file).size);
  const writer = new EventRowWriter({
    part: 0,
    parts: 1,
    keepBad: opts.keepBad,
    emit: (b) => {
      stage.append(b);
      opts.onFraction(Math.min(1, source.bytesRead() / size));
    },
  });
  const f = new EventFields();
  let lines = 0;
  let events = 0;
  try {
    const stream = source.stream;
    const records: AsyncIterable<Parsed> =
      opts.format === 'sim-csv'
        ? parseSimCsv(stream as AsyncIterable<string>, display, limits.maxLineBytes)
        : parseSimJsonl(lineStream(stream), display, limits.maxLineBytes);
    for await (const r of records) {
      lines++;
      if ('skipped' in r) continue;
      if ('error' in r) {
        writer.bad(r.error.location.line, r.error.location.column, r.error.reason, null);
        continue;
      }
      const e = r.event;
      if (++events > limits.maxEvents) {
        throw new TraceRejectedError(
          display,
          `more than ${limits.maxEvents} events (the next is on line ${e.line}) exceed the limit of ${limits.maxEvents} (PRITRACE_MAX_EVENTS); nothing was stored`,
        );
      }
      fieldsOf(e, f);
      writer.event(e.line, { tsNs: e.tsNs, cpu: e.cpu ?? -1, task: e.task, pid: e.pid ?? -1, event: e.event }, f);
    }
    writer.flush();
  } finally {
    // Stopped early (the event limit, an error): the file is closed now, not when collected.
    source.stream.destroy();
    stage.close();
  }
  return summarise(db, t, [writer.summary(lines)], display, opts.keepBad, stage.collector);
}
