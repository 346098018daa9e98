// The streaming ftrace text decoder: bytes in, columnar event batches out. It splits lines
// (LF, CRLF or a lone CR ends one, as DuckDB's reader did), parses the prefix (line.ts),
// dispatches the message to its format module (registry.ts) and fills EventBatchBuilder rows.
// Bad lines are counted and the first few kept with their location. Pure: the caller reads
// the file and feeds it in order; one decoder per part (byte range) of a file.

import { isUtf8 } from 'node:buffer';
import type { EventBatch } from '../../event-batch.ts';
import { EventRowWriter, type PartSummary } from '../../event-rows.ts';
import { EventFields } from './event-format.ts';
import { KIND_CODE } from './kind-codes.ts';
import { digitsValue, isSkipLine, parseLost, parsePrefix, Prefix } from './line.ts';
import { ownerOf } from './registry.ts';

export interface DecoderOptions {
  part: number;
  parts: number;
  maxLineBytes: number;
  /** How many bad lines to keep with their text and location. */
  keepBad: number;
  emit: (b: EventBatch) => void;
}

const LF = 10;
const CR = 13;
/** ns per unit of a timestamp fraction with this many digits (the prefix allows 6 to 9). */
const FRACTION_SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1000, 100, 10, 1];
const NON_ASCII = /[\x80-\xff]/;

/** latin1 text (one char per byte) of UTF-8 bytes back to the string they encode. */
function utf8(latin1: string): string {
  return NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

/** Characters of the UTF-8 text held as latin1: bytes that do not continue a sequence. */
function charCount(latin1: string): number {
  if (!NON_ASCII.test(latin1)) return latin1.length;
  let n = 0;
  for (let i = 0; i < latin1.length; i++) if ((latin1.charCodeAt(i) & 0xc0) !== 0x80) n++;
  return n;
}

/** The 1-based character column of the message in a line held as latin1 (a function, not a per-line closure: the line loop is hot). */
function column(s: string, lineStart: number, head: number): number {
  return charCount(s.slice(lineStart, head)) + 1;
}

export class FtraceDecoder {
  private readonly out: EventRowWriter;
  private readonly prefix = new Prefix();
  private readonly fields = new EventFields();
  private line = 0;
  /** Inside a line longer than the limit: its bytes are dropped until its end. */
  private skipping = false;
  /** The previous input ended in CR: a LF right after it belongs to that line end. */
  private afterCr = false;

  constructor(private readonly opts: DecoderOptions) {
    this.out = new EventRowWriter({ ...opts, text: utf8 });
  }

  /**
   * Decodes the complete lines in buf[0, end) and returns how many bytes it consumed; the
   * caller keeps the rest and passes it again, followed by more input. With eof, everything
   * is consumed (a last line without a line end counts).
   */
  consume(buf: Buffer, end: number, eof: boolean): number {
    let start = 0;
    if (this.afterCr && end > 0) {
      if (buf[0] === LF) start = 1;
      this.afterCr = false;
    }
    if (this.skipping) {
      const t = nextTerminator(buf, start, end);
      if (t === -1) return end;
      this.skipping = false;
      start = this.lineEnd(buf, t, end);
      if (start === -1) return end;
    }
    // Only whole lines: up to the last line end (a CR at the very end may be half of a CRLF).
    let last = lastTerminator(buf, start, end);
    if (last !== -1 && buf[last] === CR && last === end - 1 && !eof) {
      // Keep the CR's line for the next call, unless no other line end precedes it.
      const before = lastTerminator(buf, start, last);
      if (before === -1) {
        last = -1;
      } else last = before;
    }
    const regionEnd = eof ? end : last === -1 ? start : last + 1;
    if (regionEnd > start) this.lines(buf, start, regionEnd);
    if (eof) {
      this.out.flush();
      return end;
    }
    // A partial line longer than the limit: count it as bad now and drop the rest as it comes.
    if (end - regionEnd > this.opts.maxLineBytes) {
      this.line++;
      this.bad(1, 'line longer than the limit (PRITRACE_MAX_LINE_BYTES)', null);
      // A line that ends in the CR held back above is complete; otherwise drop until its end.
      if (buf[end - 1] === CR) this.afterCr = true;
      else this.skipping = true;
      return end;
    }
    return regionEnd;
  }

  /** After a line end at t: the next line's start, or -1 if the input ended on a CR. */
  private lineEnd(buf: Buffer, t: number, end: number): number {
    if (buf[t] === CR) {
      if (t + 1 === end) {
        this.afterCr = true;
        return -1;
      }
      if (buf[t + 1] === LF) return t + 2;
    }
    return t + 1;
  }

  private lines(buf: Buffer, start: number, end: number): void {
    const s = buf.toString('latin1', start, end);
    const allUtf8 = isUtf8(buf.subarray(start, end));
    const n = s.length;
    // Line ends are found in the bytes (memchr), not the string: String.prototype.indexOf over
    // the megabyte string ran 4-5x slower once the decode resumed from a new event-loop turn
    // (a gzip stream's chunks; 12.5 vs 2.5 CPU-s per 1 M lines), where Buffer#indexOf does not.
    let nl = byteIndex(buf, LF, start, start, end);
    let cr = byteIndex(buf, CR, start, start, end);
    let pos = 0;
    while (pos < n) {
      if (nl !== -1 && nl < pos) nl = byteIndex(buf, LF, start, start + pos, end);
      if (cr !== -1 && cr < pos) cr = byteIndex(buf, CR, start, start + pos, end);
      let t = nl === -1 ? cr : cr === -1 ? nl : Math.min(nl, cr);
      if (t === -1) t = n;
      this.line++;
      if (t - pos > this.opts.maxLineBytes) this.bad(1, 'line longer than the limit (PRITRACE_MAX_LINE_BYTES)', null);
      else if (!allUtf8 && !isUtf8(buf.subarray(start + pos, start + t))) this.bad(1, 'not UTF-8 text (binary data?)', null);
      else this.decodeLine(s, pos, t);
      // The region never ends inside a CRLF: its last byte is a LF, a CR not followed by a
      // LF, or the end of the input.
      pos = t + 1;
      if (t < n && s.charCodeAt(t) === CR && pos < n && s.charCodeAt(pos) === LF) pos++;
    }
  }

  private bad(column: number, reason: string, text: string | null): void {
    this.out.bad(this.line, column, reason, text);
  }

  private badText(s: string, a: number, b: number): string {
    return utf8(s.slice(a, Math.min(b, a + 640))).slice(0, 160);
  }

  private decodeLine(s: string, a: number, b: number): void {
    const p = this.prefix;
    if (!parsePrefix(s, a, b, p)) {
      const lost = parseLost(s, a, b);
      if (lost) return this.lost(lost.cpu, lost.count, s, a, b);
      if (!isSkipLine(s, a, b)) this.bad(1, 'not an ftrace event line', this.badText(s, a, b));
      return;
    }
    const msg = s.slice(p.head, b);
    const event = s.slice(p.eventStart, p.eventEnd);
    const owner = ownerOf(event, msg);
    const f = this.fields;
    f.reset();
    if (owner) {
      const outcome = owner.decode(msg, f);
      if (outcome !== 'ok') {
        const name = owner.events.length === 1 ? owner.events[0] : owner.describes;
        return this.bad(column(s, a, p.head), outcome === 'malformed' ? `malformed ${name} fields` : owner.invalid, this.badText(s, a, b));
      }
    } else f.kind = KIND_CODE.other;

    // "seconds.fraction" to ns; a bare integer (counter clocks) is read as seconds too, since
    // its unit is unknown. More than 9 digits of seconds would overflow 64-bit ns.
    // Searched within the timestamp only: s holds the whole region, and a counter-clock file has no dot to stop a search.
    let intEnd = p.tsStart;
    while (intEnd < p.tsEnd && s.charCodeAt(intEnd) !== 46 /* . */) intEnd++;
    if (intEnd - p.tsStart > 9) return this.bad(column(s, a, p.head), 'timestamp out of range', this.badText(s, a, b));
    const secs = digitsValue(s, p.tsStart, intEnd);
    const fracLen = intEnd < p.tsEnd ? p.tsEnd - intEnd - 1 : 0;
    const ns = fracLen === 0 ? 0 : digitsValue(s, intEnd + 1, p.tsEnd) * FRACTION_SCALE[fracLen]!;

    const tsNs = secs * 1e9 + ns;
    const exact = tsNs <= Number.MAX_SAFE_INTEGER ? tsNs : BigInt(secs) * 1_000_000_000n + BigInt(ns);
    this.out.event(this.line, { tsNs: exact, cpu: p.cpu, task: s.slice(p.commStart, p.commEnd), pid: p.pid, event }, f);
  }

  private lost(cpu: number, count: string, s: string, a: number, b: number): void {
    if (!this.out.lost(this.line, cpu, count)) this.bad(1, 'lost-events count out of range (over 2^53 − 1)', this.badText(s, a, b));
  }

  summary(): PartSummary {
    return this.out.summary(this.line);
  }
}

/** Where the first byte b in buf[from, end) is, counted from base; -1 when there is none. */
function byteIndex(buf: Buffer, b: number, base: number, from: number, end: number): number {
  const i = buf.indexOf(b, from);
  return i === -1 || i >= end ? -1 : i - base;
}

function nextTerminator(buf: Buffer, from: number, end: number): number {
  const n = buf.indexOf(LF, from);
  const c = buf.indexOf(CR, from);
  const t = n === -1 || n >= end ? c : c === -1 || c >= end ? n : Math.min(n, c);
  return t === -1 || t >= end ? -1 : t;
}

function lastTerminator(buf: Buffer, from: number, end: number): number {
  const n = buf.lastIndexOf(LF, end - 1);
  const c = buf.lastIndexOf(CR, end - 1);
  const t = Math.max(n, c);
  return t < from ? -1 : t;
}
