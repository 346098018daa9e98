// The columnar hand-over from a decoder to the store: batches of decoded events as typed
// arrays, one per column, with a validity bitmap where a column can be NULL, and repeated
// strings (task, event name, IOMMU, device) as small integer codes whose strings travel once,
// in the batch that first used them. Any decoder (ftrace text here, a binary format later)
// fills batches with EventBatchBuilder; the store appends them as DuckDB DataChunks.
// A batch holds rows of one part of the file (a worker's byte range): `line` is the line
// number within the part, the store adds the part's first line when the parts are joined.

/** DuckDB's vector size: batches are cut in chunks of this many rows. */
export const CHUNK_ROWS = 2048;
export const BATCH_ROWS = 32 * CHUNK_ROWS;

type ArrayKind = 'u8' | 'i16' | 'i32' | 'u32' | 'i64';
const BYTES: Record<ArrayKind, number> = { u8: 1, i16: 2, i32: 4, u32: 4, i64: 8 };

/** A staged column: its name, DuckDB type, typed-array kind and whether it may be NULL. */
const col = <N extends string>(name: N, sql: string, array: ArrayKind, nullable = true) => ({ name, sql, array, nullable });

/** The numeric columns of a batch, in stage-table order; `detail` (VARCHAR) follows them. */
export const BATCH_COLUMNS = [
  col('part', 'UTINYINT', 'u8', false),
  col('line', 'UINTEGER', 'u32', false),
  col('ts_ns', 'BIGINT', 'i64'),
  col('cpu', 'SMALLINT', 'i16'),
  col('task', 'INTEGER', 'i32'),
  col('pid', 'INTEGER', 'i32'),
  col('kind', 'UTINYINT', 'u8', false),
  col('event', 'INTEGER', 'i32'),
  col('iommu', 'INTEGER', 'i32'),
  col('device', 'INTEGER', 'i32'),
  col('rid', 'INTEGER', 'i32'),
  col('pasid', 'INTEGER', 'i32'),
  col('prgi', 'INTEGER', 'i32'),
  col('last', 'BOOLEAN', 'u8'),
  col('addr', 'UBIGINT', 'i64'),
  col('perm', 'UTINYINT', 'u8'),
  col('code', 'SMALLINT', 'i16'),
  col('seq', 'BIGINT', 'i64'),
] as const;

export const DICT_COLUMNS = ['task', 'event', 'iommu', 'device'] as const;
export type DictColumn = (typeof DICT_COLUMNS)[number];

type ColumnName = (typeof BATCH_COLUMNS)[number]['name'];
/** Column index by name. */
export const COL: { readonly [K in ColumnName]: number } = Object.fromEntries(BATCH_COLUMNS.map((c, i) => [c.name, i])) as { [K in ColumnName]: number };
const C = COL;

export interface EventBatch {
  rows: number;
  /** One buffer per BATCH_COLUMNS entry, little-endian values. */
  data: ArrayBuffer[];
  /** Validity bitmaps (bit set = not NULL) for nullable columns, else null. */
  valid: (ArrayBuffer | null)[];
  /** detail per row (null = NULL). */
  detail: (string | null)[];
  /** Strings first used in this batch, per dictionary column, as [code, text]. */
  dict: Record<DictColumn, [number, string][]>;
}

/** Every buffer of a batch, for postMessage's transfer list. */
export function batchTransferList(b: EventBatch): ArrayBuffer[] {
  return [...b.data, ...b.valid.filter((v): v is ArrayBuffer => v !== null)];
}

/**
 * Fills batches row by row. Codes are unique across parts (code = index × parts + part), so
 * parts decoded on different threads never need their codes remapped.
 */
export class EventBatchBuilder {
  private rows = 0;
  private data!: ArrayBuffer[];
  private valid!: (Uint32Array | null)[];
  private u8!: Uint8Array[];
  private i16!: Int16Array[];
  private i32!: Int32Array[];
  private u32!: Uint32Array[];
  private i64lo!: Uint32Array[];
  private i64!: BigInt64Array[];
  private detail!: (string | null)[];
  private pending: Record<DictColumn, [number, string][]> = { task: [], event: [], iommu: [], device: [] };
  private codes: Record<DictColumn, Map<string, number>> = { task: new Map(), event: new Map(), iommu: new Map(), device: new Map() };
  private last: Record<DictColumn, { key: string | null; code: number }> = {
    task: { key: null, code: 0 },
    event: { key: null, code: 0 },
    iommu: { key: null, code: 0 },
    device: { key: null, code: 0 },
  };

  constructor(
    private readonly part: number,
    private readonly parts: number,
    private readonly emit: (b: EventBatch) => void,
  ) {
    this.fresh();
  }

  private fresh(): void {
    this.rows = 0;
    this.data = BATCH_COLUMNS.map((c) => new ArrayBuffer(BATCH_ROWS * BYTES[c.array]));
    this.valid = BATCH_COLUMNS.map((c) => (c.nullable ? new Uint32Array(BATCH_ROWS / 32) : null));
    this.u8 = this.data.map((b) => new Uint8Array(b));
    this.i16 = this.data.map((b) => new Int16Array(b.byteLength % 2 ? new ArrayBuffer(0) : b));
    this.i32 = this.data.map((b) => new Int32Array(b.byteLength % 4 ? new ArrayBuffer(0) : b));
    this.u32 = this.data.map((b) => new Uint32Array(b.byteLength % 4 ? new ArrayBuffer(0) : b));
    this.i64lo = this.u32;
    this.i64 = this.data.map((b) => new BigInt64Array(b.byteLength % 8 ? new ArrayBuffer(0) : b));
    this.detail = [];
  }

  /**
   * The code of a dictionary string, assigning one (and queueing its text) when new. key is
   * the decoder's own spelling; textOf turns it into the stored text, once per new key.
   */
  code(column: DictColumn, key: string, textOf: (key: string) => string = (k) => k): number {
    // Neighbouring lines mostly repeat the task, event and device: comparing with the last key
    // is cheaper than hashing a freshly sliced string for the map.
    const last = this.last[column];
    if (last.key === key) return last.code;
    const m = this.codes[column];
    let c = m.get(key);
    if (c === undefined) {
      c = m.size * this.parts + this.part;
      m.set(key, c);
      this.pending[column].push([c, textOf(key)]);
    }
    last.key = key;
    last.code = c;
    return c;
  }

  /** Starts a row; every column is NULL (or 0 for NOT NULL ones) until set. */
  begin(line: number, kind: number): number {
    const r = this.rows;
    this.u8[C.part]![r] = this.part;
    this.u32[C.line]![r] = line;
    this.u8[C.kind]![r] = kind;
    this.detail.push(null);
    return r;
  }

  private setValid(c: number, r: number): void {
    this.valid[c]![r >>> 5]! |= 1 << (r & 31);
  }

  setI16(c: number, r: number, v: number): void {
    this.i16[c]![r] = v;
    this.setValid(c, r);
  }

  setI32(c: number, r: number, v: number): void {
    this.i32[c]![r] = v;
    this.setValid(c, r);
  }

  setU8(c: number, r: number, v: number): void {
    this.u8[c]![r] = v;
    this.setValid(c, r);
  }

  /** A 64-bit value from unsigned 32-bit halves. */
  setI64(c: number, r: number, hi: number, lo: number): void {
    const a = this.i64lo[c]!;
    a[2 * r] = lo;
    a[2 * r + 1] = hi;
    this.setValid(c, r);
  }

  setBigInt(c: number, r: number, v: bigint): void {
    this.i64[c]![r] = v;
    this.setValid(c, r);
  }

  setDetail(r: number, text: string): void {
    this.detail[r] = text;
  }

  /** Ends the row; emits the batch when full. */
  end(): void {
    if (++this.rows === BATCH_ROWS) this.flush();
  }

  flush(): void {
    if (this.rows === 0) return;
    const dict = this.pending;
    this.pending = { task: [], event: [], iommu: [], device: [] };
    this.emit({ rows: this.rows, data: this.data, valid: this.valid.map((v) => (v ? (v.buffer as ArrayBuffer) : null)), detail: this.detail, dict });
    this.fresh();
  }
}
