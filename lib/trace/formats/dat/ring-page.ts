// Decodes one ring-buffer page (sub-buffer) the way libtraceevent's kbuffer-parse.c does:
// u64 page timestamp, commit word (data size in the low 27 bits, bit 31 = events were lost
// before this page, bit 30 = their count is stored after the data), then events whose u32
// header holds a 5-bit type_len and a 27-bit time delta. type_len 29 padding, 30 time extend,
// 31 absolute time stamp (upper 5 bits from the page timestamp), 0 = length word follows,
// 1..28 = 4×type_len payload bytes.

import type { Endian } from './bytes.ts';
import type { PageLayout } from './event-format.ts';

const COMMIT_MASK = (1 << 27) - 1;
const MISSING_EVENTS = 0x80000000;
const MISSING_STORED = 0x40000000;
const TS_MSB = 0xf8n << 56n;
const PADDING = 29;
const TIME_EXTEND = 30;
const TIME_STAMP = 31;

export interface PageRecords {
  /** Raw (uncorrected) timestamps of the data records. */
  ts: bigint[];
  /** Payload start (offset into the page bytes) and length of each record. */
  start: number[];
  len: number[];
  /** Events lost before this page's first record: a count, -1 when not stored, 0 for none. */
  lost: number;
  /** Page-relative offset of a structural fault, with its reason, when the page is corrupt. */
  fault: { at: number; reason: string } | null;
}

export class PageDecoder {
  private readonly le: boolean;
  constructor(
    endian: Endian,
    private readonly layout: PageLayout,
    private readonly pageSize: number,
  ) {
    this.le = endian === 'le';
  }

  decode(view: DataView, base: number): PageRecords {
    const out: PageRecords = { ts: [], start: [], len: [], lost: 0, fault: null };
    const { commitOffset, commitSize, dataOffset } = this.layout;
    let ts = view.getBigUint64(base, this.le);
    // The flags sit in the low 32 bits of the commit long, whatever its width.
    const commit = commitSize === 8 ? Number(view.getBigUint64(base + commitOffset, this.le) & 0xffffffffn) : view.getUint32(base + commitOffset, this.le);
    const size = commit & COMMIT_MASK;
    const data = base + dataOffset;
    if (dataOffset + size > this.pageSize) {
      out.fault = { at: commitOffset, reason: `page data size ${size} is larger than the page (${this.pageSize - dataOffset} bytes after the header)` };
      return out;
    }
    let lost = 0;
    if (commit & MISSING_EVENTS) {
      if (commit & MISSING_STORED) {
        if (dataOffset + size + commitSize > this.pageSize) {
          out.fault = { at: commitOffset, reason: 'lost-events count stored past the end of the page' };
          return out;
        }
        lost = commitSize === 8 ? Number(view.getBigUint64(data + size, this.le)) : view.getUint32(data + size, this.le);
      } else lost = -1;
    }
    let pos = 0;
    let first = true;
    while (pos < size) {
      if (pos + 4 > size) {
        out.fault = { at: dataOffset + pos, reason: 'event header runs past the page data' };
        return out;
      }
      const h = view.getUint32(data + pos, this.le);
      const typeLen = this.le ? h & 31 : h >>> 27;
      const delta = this.le ? h >>> 5 : h & COMMIT_MASK;
      const at = pos;
      pos += 4;
      let length: number;
      if (typeLen === PADDING || typeLen === TIME_EXTEND || typeLen === TIME_STAMP) {
        if (pos + 4 > size) {
          out.fault = { at: dataOffset + at, reason: `${typeLen === PADDING ? 'padding' : 'time'} record runs past the page data` };
          return out;
        }
        const arg = view.getUint32(data + pos, this.le);
        if (typeLen === PADDING) {
          length = arg;
          ts += BigInt(delta);
        } else {
          const v = (BigInt(arg) << 27n) + BigInt(delta);
          ts = typeLen === TIME_STAMP ? v | (ts & TS_MSB) : ts + v;
          length = 4;
        }
        pos += length;
        continue;
      }
      ts += BigInt(delta);
      if (typeLen === 0) {
        if (pos + 4 > size) {
          out.fault = { at: dataOffset + at, reason: 'length word runs past the page data' };
          return out;
        }
        const l = view.getUint32(data + pos, this.le) - 4;
        pos += 4;
        length = (l + 3) & ~3;
        if (l < 0) {
          out.fault = { at: dataOffset + at, reason: `event length ${l + 4} is smaller than its length word` };
          return out;
        }
      } else {
        length = typeLen * 4;
      }
      if (pos + length > size) {
        out.fault = { at: dataOffset + at, reason: `event of ${length} bytes runs past the page data (${size} bytes)` };
        return out;
      }
      // kbuffer_missed_events() reports the loss only on a record at the very start of the page.
      if (first) out.lost = at === 0 ? lost : 0;
      first = false;
      out.ts.push(ts);
      out.start.push(data + pos - base);
      out.len.push(length);
      pos += length;
    }
    return out;
  }
}
