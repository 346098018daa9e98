// Parses the kernel's event `format` texts a trace.dat carries (one per tracepoint) into
// field lists, and reads field values out of a record's payload. Only the field list is
// needed: `print fmt` is kept as text, never evaluated (the PRI events are mapped from their
// fields; see pri-events.ts). Also parses `header_page`, whose field offsets and sizes give
// the ring-buffer page layout (commit is a kernel long: 4 or 8 bytes).

import { utf8, type Endian } from './bytes.ts';

export interface FieldDef {
  name: string;
  /** Declared type as written, e.g. `u64`, `__data_loc char[]`, `char[16]`. */
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  /** `__data_loc` (u32: offset | length << 16) or `__rel_loc` (offset from the field's end). */
  loc: 'data' | 'rel' | null;
  /** Fixed array length (`char comm[16]`), or null. */
  arrayLen: number | null;
}

export interface EventFormat {
  id: number;
  name: string;
  system: string;
  fields: FieldDef[];
  byName: Map<string, FieldDef>;
  printFmt: string;
}

export class FormatTextError extends Error {
  override readonly name = 'FormatTextError';
}

const FIELD_LINE = /^\s*field:\s*(.+?);\s*offset:\s*(\d+);\s*size:\s*(\d+);(?:\s*signed:\s*(-?\d+);)?/;

function parseField(line: string): FieldDef | null {
  const m = FIELD_LINE.exec(line);
  if (!m) return null;
  const decl = m[1]!.trim();
  let loc: FieldDef['loc'] = null;
  let rest = decl;
  if (rest.startsWith('__data_loc ')) {
    loc = 'data';
    rest = rest.slice('__data_loc '.length);
  } else if (rest.startsWith('__rel_loc ')) {
    loc = 'rel';
    rest = rest.slice('__rel_loc '.length);
  }
  const nm = /^(.*?)([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[(\d*)\])?$/.exec(rest);
  if (!nm) throw new FormatTextError(`cannot read the field declaration "${decl}"`);
  const arrayLen = nm[3] !== undefined && nm[3] !== '' ? Number(nm[3]) : null;
  return {
    name: nm[2]!,
    type: decl,
    offset: Number(m[2]),
    size: Number(m[3]),
    signed: m[4] !== undefined && m[4] !== '0',
    loc,
    arrayLen,
  };
}

/** Parses one event `format` file text; throws FormatTextError saying what does not parse. */
export function parseEventFormat(text: string, system: string): EventFormat {
  const name = /^name:\s*(\S+)\s*$/m.exec(text)?.[1];
  const id = /^ID:\s*(\d+)\s*$/m.exec(text)?.[1];
  if (!name) throw new FormatTextError('no "name:" line');
  if (!id) throw new FormatTextError(`event ${name}: no numeric "ID:" line`);
  const fmtAt = text.search(/^format:\s*$/m);
  if (fmtAt < 0) throw new FormatTextError(`event ${name}: no "format:" line`);
  const fields: FieldDef[] = [];
  let printFmt = '';
  for (const line of text.slice(fmtAt).split('\n').slice(1)) {
    if (line.startsWith('print fmt:')) {
      printFmt = line.slice('print fmt:'.length).trim();
      break;
    }
    if (line.trim() === '') continue;
    const f = parseField(line);
    if (!f) throw new FormatTextError(`event ${name}: cannot read the field line "${line.trim().slice(0, 120)}"`);
    if (f.size <= 0 && f.loc === null && f.arrayLen === null) throw new FormatTextError(`event ${name}: field ${f.name} has size ${f.size}`);
    fields.push(f);
  }
  if (!fields.some((f) => f.name === 'common_pid')) throw new FormatTextError(`event ${name}: no common_pid field`);
  if (!fields.some((f) => f.name === 'common_type')) throw new FormatTextError(`event ${name}: no common_type field`);
  return { id: Number(id), name, system, fields, byName: new Map(fields.map((f) => [f.name, f])), printFmt };
}

export interface PageLayout {
  /** Offset of the commit word in a page (after the u64 timestamp). */
  commitOffset: number;
  /** Size of the commit word: the kernel's long (4 or 8). */
  commitSize: number;
  /** Offset of the first event in a page. */
  dataOffset: number;
}

/** Page layout from the `header_page` text; throws FormatTextError when a field is missing. */
export function parseHeaderPage(text: string): PageLayout {
  const fields = new Map<string, FieldDef>();
  for (const line of text.split('\n')) {
    const f = parseField(line);
    if (f) fields.set(f.name, f);
  }
  const ts = fields.get('timestamp');
  const commit = fields.get('commit');
  const data = fields.get('data');
  if (!ts || ts.size !== 8 || ts.offset !== 0) throw new FormatTextError('header_page: no 8-byte timestamp at offset 0');
  if (!commit || (commit.size !== 4 && commit.size !== 8)) throw new FormatTextError('header_page: commit is not a 4- or 8-byte field');
  if (!data) throw new FormatTextError('header_page: no data field');
  return { commitOffset: commit.offset, commitSize: commit.size, dataOffset: data.offset };
}

/** Reads fields out of one record's payload (the bytes after the event header). */
export class PayloadReader {
  private view: DataView = new DataView(new ArrayBuffer(0));
  private bytes: Uint8Array = new Uint8Array(0);
  constructor(private readonly endian: Endian) {}

  load(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** An integer field as bigint (sign-extended when the field is signed); null when out of the payload. */
  int(f: FieldDef): bigint | null {
    if (f.offset + f.size > this.bytes.length) return null;
    const le = this.endian === 'le';
    switch (f.size) {
      case 1:
        return BigInt(f.signed ? this.view.getInt8(f.offset) : this.view.getUint8(f.offset));
      case 2:
        return BigInt(f.signed ? this.view.getInt16(f.offset, le) : this.view.getUint16(f.offset, le));
      case 4:
        return BigInt(f.signed ? this.view.getInt32(f.offset, le) : this.view.getUint32(f.offset, le));
      case 8:
        return f.signed ? this.view.getBigInt64(f.offset, le) : this.view.getBigUint64(f.offset, le);
      default:
        return null;
    }
  }

  /** A small integer field (pid, common_type) as a number; null when out of the payload. */
  small(f: FieldDef): number | null {
    const v = this.int(f);
    return v === null ? null : Number(v);
  }

  /** A string field: `__data_loc`/`__rel_loc` or a fixed char array, cut at the first NUL. */
  str(f: FieldDef): string | null {
    let start = f.offset;
    let len = f.size;
    if (f.loc) {
      if (f.offset + 4 > this.bytes.length) return null;
      const v = this.view.getUint32(f.offset, this.endian === 'le');
      start = (v & 0xffff) + (f.loc === 'rel' ? f.offset + f.size : 0);
      len = v >>> 16;
    }
    if (start + len > this.bytes.length) return null;
    let end = start;
    while (end < start + len && this.bytes[end] !== 0) end++;
    return utf8(this.bytes.subarray(start, end));
  }
}
