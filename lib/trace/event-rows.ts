// Writes decoded events into columnar batches (event-batch.ts) and keeps what a part of a
// file adds up to beyond its rows: bad lines with their location, lost-events counts, and
// what resolving Intel response devices by RID needs. Shared by every decoder that fills
// the ftrace stage (the text decoder, the trace.dat reader), so a row means the same
// whichever file it came from. Pure.

import { COL, EventBatchBuilder, type EventBatch } from './event-batch.ts';
import type { EventFields } from './formats/ftrace/event-format.ts';
import { KIND_CODE } from './formats/ftrace/kind-codes.ts';

/** Most lost events one `[LOST N EVENTS]` marker may claim: 2^53 − 1, exact as a JS number and far past any ring buffer. */
const MAX_LOST_COUNT = BigInt(Number.MAX_SAFE_INTEGER);

export interface BadLine {
  /** Line within the part, 1-based. */
  line: number;
  column: number;
  reason: string;
  /** The line's first 160 characters, or null when the line itself cannot be shown (binary, too long). */
  text: string | null;
}

export interface RidDevice {
  iommu: string;
  rid: number;
  device: string;
  line: number;
}

/** What a part adds up to, beyond its events. */
export interface PartSummary {
  lines: number;
  events: number;
  badLines: number;
  firstBad: BadLine[];
  /** Counts of lost-events markers, as decimal strings (up to MAX_LOST_COUNT). */
  lostCounts: string[];
  /** Per (iommu, rid): the device of the part's first request with it. */
  requestDevices: RidDevice[];
  /** (iommu, rid) of responses that name no device. */
  responseRids: { iommu: string; rid: number }[];
}

export interface RowWriterOptions {
  part: number;
  parts: number;
  /** How many bad lines to keep with their text and location. */
  keepBad: number;
  emit: (b: EventBatch) => void;
  /**
   * The stored text of a decoder's string: the text decoder holds bytes as latin1 and turns
   * them into UTF-8 text here, once per distinct string; decoders of real strings pass them on.
   */
  text?: (s: string) => string;
}

/**
 * Where an event happened, beside its decoded fields. Passed as a fresh object literal per
 * line: a reused instance measured no faster (the literal does not escape once event() is inlined).
 */
export interface RowPrefix {
  /** Nanoseconds: a number when exact (≤ 2^53 − 1), else a bigint; null when unknown. */
  tsNs: number | bigint | null;
  cpu: number;
  task: string | null;
  pid: number;
  event: string | null;
}

const same = (s: string) => s;

export class EventRowWriter {
  private readonly out: EventBatchBuilder;
  private readonly text: (s: string) => string;
  private events = 0;
  private badLines = 0;
  private readonly firstBad: BadLine[] = [];
  private readonly lostCounts: string[] = [];
  private readonly requestDevices = new Map<number, RidDevice>();
  private readonly responseRids = new Map<number, { iommu: string; rid: number }>();

  constructor(private readonly opts: RowWriterOptions) {
    this.out = new EventBatchBuilder(opts.part, opts.parts, opts.emit);
    this.text = opts.text ?? same;
  }

  bad(line: number, column: number, reason: string, text: string | null): void {
    this.badLines++;
    if (this.firstBad.length < this.opts.keepBad) this.firstBad.push({ line, column, reason, text });
  }

  /** One decoded event; negative cpu / pid mean NULL. */
  event(line: number, p: RowPrefix, f: EventFields): void {
    const o = this.out;
    const r = o.begin(line, f.kind);
    if (typeof p.tsNs === 'number') o.setI64(COL.ts_ns, r, Math.floor(p.tsNs / 4294967296), p.tsNs % 4294967296);
    else if (p.tsNs !== null) o.setBigInt(COL.ts_ns, r, p.tsNs);
    if (p.cpu >= 0 && p.cpu <= 32767) o.setI16(COL.cpu, r, p.cpu);
    if (p.task !== null) o.setI32(COL.task, r, o.code('task', p.task, this.text));
    if (p.pid >= 0) o.setI32(COL.pid, r, p.pid);
    if (p.event !== null) o.setI32(COL.event, r, o.code('event', p.event, this.text));
    const iommu = f.iommu === null ? -1 : o.code('iommu', f.iommu, this.text);
    if (iommu >= 0) o.setI32(COL.iommu, r, iommu);
    if (f.device !== null) o.setI32(COL.device, r, o.code('device', f.device, this.text));
    if (f.rid >= 0) {
      o.setI32(COL.rid, r, f.rid);
      if (iommu >= 0) this.noteRid(f, iommu, line);
    }
    if (f.pasid >= 0) o.setI32(COL.pasid, r, f.pasid);
    if (f.prgi >= 0) o.setI32(COL.prgi, r, f.prgi);
    if (f.last >= 0) o.setU8(COL.last, r, f.last);
    if (f.addrHi >= 0) o.setI64(COL.addr, r, f.addrHi, f.addrLo);
    if (f.perm >= 0) o.setU8(COL.perm, r, f.perm);
    if (f.code >= 0) o.setI16(COL.code, r, f.code);
    if (f.seqHi >= 0) o.setI64(COL.seq, r, f.seqHi, f.seqLo);
    if (f.detail !== null) o.setDetail(r, this.text(f.detail));
    o.end();
    this.events++;
  }

  /**
   * A lost-events marker; count is its decimal text, or null when the kernel did not store
   * it. False (nothing written) when the count is over MAX_LOST_COUNT: the caller reports it.
   */
  lost(line: number, cpu: number, count: string | null): boolean {
    if (count !== null && BigInt(count) > MAX_LOST_COUNT) return false;
    const o = this.out;
    const r = o.begin(line, KIND_CODE.lost);
    if (cpu >= 0 && cpu <= 32767) o.setI16(COL.cpu, r, cpu);
    if (count !== null) {
      o.setDetail(r, count);
      this.lostCounts.push(count);
    }
    o.end();
    this.events++;
    return true;
  }

  /** Remembers what resolving response devices by RID needs (qi-submit.ts responseDeviceFromRid). */
  private noteRid(f: EventFields, iommuCode: number, line: number): void {
    // A number, not a string built per row; exact, since a RID is 16 bits (bus/device/function).
    const key = iommuCode * 65536 + f.rid;
    if (f.kind === KIND_CODE.page_request && f.device !== null) {
      if (!this.requestDevices.has(key)) this.requestDevices.set(key, { iommu: this.text(f.iommu!), rid: f.rid, device: this.text(f.device), line });
    } else if (f.kind === KIND_CODE.page_response && f.device === null && !this.responseRids.has(key)) {
      this.responseRids.set(key, { iommu: this.text(f.iommu!), rid: f.rid });
    }
  }

  flush(): void {
    this.out.flush();
  }

  summary(lines: number): PartSummary {
    return {
      lines,
      events: this.events,
      badLines: this.badLines,
      firstBad: this.firstBad,
      lostCounts: this.lostCounts,
      requestDevices: [...this.requestDevices.values()],
      responseRids: [...this.responseRids.values()],
    };
  }
}
