// Endian-aware reads over one in-memory block of a trace.dat file (a header, a section, a
// decompressed chunk). Every read is bounds-checked and fails with a DatFormatError that
// names the file offset the block came from, so truncated or lying sizes are located.

import { DatFormatError, type DatLocation } from './errors.ts';

export type Endian = 'le' | 'be';

export class ByteCursor {
  private readonly view: DataView;
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly endian: Endian,
    /** File offset of bytes[0]; for decompressed data, the offset of its compressed block. */
    readonly base: number,
    readonly section: string,
    readonly compressed = false,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** File location of the current position (the block start when the block is decompressed). */
  location(extra: Partial<DatLocation> = {}): DatLocation {
    return { offset: this.compressed ? this.base : this.base + this.pos, section: this.section, ...extra };
  }

  fail(reason: string, extra: Partial<DatLocation> = {}): never {
    throw new DatFormatError(this.location(extra), reason);
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.bytes.length) {
      this.fail(`truncated: ${what} needs ${n} bytes, ${this.remaining} left${this.compressed ? ' in the decompressed block' : ''}`);
    }
  }

  u8(what = 'a byte'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(what = 'a 16-bit number'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, this.endian === 'le');
    this.pos += 2;
    return v;
  }

  u32(what = 'a 32-bit number'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, this.endian === 'le');
    this.pos += 4;
    return v;
  }

  u64(what = 'a 64-bit number'): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, this.endian === 'le');
    this.pos += 8;
    return v;
  }

  /** A 64-bit size or offset that must fit a JS number (files beyond 8 PiB are not real). */
  u64Number(what: string): number {
    const at = this.pos;
    const v = this.u64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.pos = at;
      this.fail(`${what} ${v} is beyond any file size`);
    }
    return Number(v);
  }

  /** A NUL-terminated string. */
  cstring(what = 'a string'): string {
    const end = this.bytes.indexOf(0, this.pos);
    if (end < 0) this.fail(`truncated: ${what} has no terminating NUL`);
    const s = latin1(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** n bytes of text (format files, cmdlines); a trailing NUL is dropped. */
  text(n: number, what: string): string {
    const b = this.take(n, what);
    return utf8(b[b.length - 1] === 0 ? b.subarray(0, b.length - 1) : b);
  }
}

const decoder = new TextDecoder('utf-8');
export function utf8(b: Uint8Array): string {
  return decoder.decode(b);
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}
