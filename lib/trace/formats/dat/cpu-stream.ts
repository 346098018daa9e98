// The pages of one CPU of one instance, read a window at a time: plain flyrecord data in
// windows of whole pages, compressed data one chunk at a time (u32 chunk count, then per
// chunk u32 compressed size, u32 uncompressed size, data). Only the current window is held.

import { ByteCursor, type Endian } from './bytes.ts';
import { decompressBlock } from './metadata.ts';
import type { Codec } from './compression.ts';
import { DatFormatError, type DatLocation } from './errors.ts';
import type { ByteSource } from './source.ts';

export interface PageWindow {
  bytes: Uint8Array;
  view: DataView;
  /** File offset of the window, or of its compressed chunk. */
  fileOffset: number;
  compressed: boolean;
  /** Bytes of the file this window consumed (for progress). */
  consumed: number;
}

const PLAIN_WINDOW_PAGES = 64;

export class CpuPages {
  private pos: number;
  private chunksLeft = -1;
  readonly end: number;
  constructor(
    private readonly src: ByteSource,
    private readonly endian: Endian,
    private readonly codec: Codec | null,
    private readonly pageSize: number,
    readonly where: { cpu: number; instance: string },
    offset: number,
    size: number,
  ) {
    this.pos = offset;
    // trace-cmd records a compressed CPU's size without its leading u32 chunk count.
    this.end = offset + size + (codec ? 4 : 0);
  }

  private loc(offset: number): DatLocation {
    return { offset, section: 'flyrecord', cpu: this.where.cpu, instance: this.where.instance || undefined };
  }

  /** The next window of whole pages, or null at the end of this CPU's data. */
  async next(): Promise<PageWindow | null> {
    if (this.pos >= this.end) return null;
    if (!this.codec) {
      const n = Math.min(this.end - this.pos, PLAIN_WINDOW_PAGES * this.pageSize);
      const at = this.pos;
      const bytes = await this.src.read(at, n);
      if (bytes.length < n) throw new DatFormatError(this.loc(at + bytes.length), `truncated: CPU data ends ${n - bytes.length} bytes early`);
      this.pos += n;
      const whole = n - (n % this.pageSize);
      if (whole === 0) throw new DatFormatError(this.loc(at), `CPU data ends with a partial page of ${n} bytes`);
      return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, whole), fileOffset: at, compressed: false, consumed: n };
    }
    let consumed = 0;
    if (this.chunksLeft < 0) {
      this.chunksLeft = new ByteCursor(await this.need(this.pos, 4, 'the chunk count'), this.endian, this.pos, 'flyrecord').u32();
      this.pos += 4;
      consumed += 4;
    }
    if (this.chunksLeft === 0) {
      if (this.pos < this.end) throw new DatFormatError(this.loc(this.pos), `${this.end - this.pos} bytes follow the last compressed chunk`);
      return null;
    }
    const at = this.pos;
    const h = new ByteCursor(await this.need(at, 8, 'a chunk header'), this.endian, at, 'flyrecord');
    const csize = h.u32();
    const usize = h.u32();
    if (at + 8 + csize > this.end) {
      throw new DatFormatError(
        this.loc(at),
        `corrupt chunk size: a chunk of ${csize} compressed bytes runs past the CPU data (${this.end - at - 8} bytes left)`,
      );
    }
    if (usize === 0 || usize % this.pageSize !== 0) {
      throw new DatFormatError(this.loc(at), `corrupt chunk size: ${usize} uncompressed bytes is not a whole number of ${this.pageSize}-byte pages`);
    }
    const raw = await this.need(at, 8 + csize, 'a chunk');
    const bytes = decompressBlock(raw, this.endian, this.codec, at, 'flyrecord', this.where.cpu);
    this.pos += 8 + csize;
    this.chunksLeft--;
    consumed += 8 + csize;
    return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), fileOffset: at, compressed: true, consumed };
  }

  private async need(at: number, n: number, what: string): Promise<Uint8Array> {
    if (at + n > this.end) throw new DatFormatError(this.loc(at), `truncated: ${what} needs ${n} bytes, ${this.end - at} left in this CPU's data`);
    const b = await this.src.read(at, n);
    if (b.length < n) throw new DatFormatError(this.loc(at), `truncated: ${what} needs ${n} bytes, the file has ${b.length}`);
    return b;
  }
}
