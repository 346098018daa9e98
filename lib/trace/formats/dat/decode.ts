// Turns the rows a trace.dat yields (reader.ts) into the columnar event batches the ftrace
// text decoder fills (event-rows.ts): each record's message, rendered as `trace-cmd report`
// prints it (pri-events.ts), is decoded by the same ftrace event decoder that reads the
// report text, so a .dat and its report store the same events. A record's "line" is its
// place in report order (lost-events markers count), the location bad records are reported at.

import type { EventBatch } from '../../event-batch.ts';
import { EventRowWriter, type PartSummary } from '../../event-rows.ts';
import { EventFields } from '../ftrace/event-format.ts';
import { KIND_CODE } from '../ftrace/kind-codes.ts';
import type { DatRow } from './reader.ts';

const exactNs = (ts: bigint | null): number | bigint | null => (ts === null ? null : ts <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ts) : ts);

export class DatDecoder {
  private readonly out: EventRowWriter;
  private readonly fields = new EventFields();
  private line = 0;

  constructor(opts: { keepBad: number; emit: (b: EventBatch) => void }) {
    this.out = new EventRowWriter({ part: 0, parts: 1, ...opts });
  }

  push(r: DatRow): void {
    this.line++;
    if (r.type === 'lost') {
      const count = r.lostCount === null ? null : r.lostCount.toString();
      if (!this.out.lost(this.line, r.cpu, count)) this.bad(r, 'lost-events count out of range (over 2^53 − 1)');
      return;
    }
    if (r.type === 'bad') return this.bad(r, r.bad ?? 'unreadable record');
    const f = this.fields;
    f.reset();
    if (r.owner && r.msg !== null) {
      const outcome = r.owner.decode(r.msg, f);
      if (outcome !== 'ok') {
        const name = r.owner.events.length === 1 ? r.owner.events[0] : r.owner.describes;
        return this.bad(r, outcome === 'malformed' ? `malformed ${name} fields` : r.owner.invalid);
      }
    } else f.kind = KIND_CODE.other;
    this.out.event(this.line, { tsNs: exactNs(r.tsNs), cpu: r.cpu, task: r.task, pid: r.pid ?? -1, event: r.event }, f);
  }

  /** A record that cannot be stored, located by its place in report order and its CPU and time. */
  private bad(r: DatRow, reason: string): void {
    this.out.bad(this.line, 1, reason, `${r.event ?? 'record'} on CPU ${r.cpu} at ${r.tsNs ?? '?'} ns`);
  }

  /** Emits the last, partly filled batch and returns what the file added up to. */
  finish(): PartSummary {
    this.out.flush();
    return this.out.summary(this.line);
  }
}
