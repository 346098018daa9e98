// Simulator traces as CSV (DESIGN §4): a header row, then one event per row. Parsed by
// papaparse with every value kept as a string (no dynamicTyping: 64-bit values must never pass
// through Number), then converted field by field in sim-record.ts. Streams: rows are yielded
// as they are parsed. Line numbers are physical lines: a quoted field that spans lines moves
// the next row's line on.

import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { TraceParseError } from '../../core/errors.ts';
import { SIM_REQUIRED, simRecordToEvent, simTimeColumn, type Parsed, type RecordContext, type SimRecord } from './sim-record.ts';

function splitHeader(line: string): string[] {
  return line
    .replace(/^\uFEFF/, '')
    .trim()
    .split(',')
    .map((h) => h.trim().replace(/^"|"$/g, ''));
}

export function detectSimCsv(lines: readonly string[]): boolean {
  const first = lines.find((l) => l.trim() !== '');
  if (!first) return false;
  const header = splitHeader(first);
  return simTimeColumn(header) !== null && SIM_REQUIRED.every((c) => header.includes(c));
}

/**
 * papaparse's stream mode costs more than linearly in the size of each chunk it is given: on
 * 200 000 rows, 4 KiB chunks parsed in 0.91 CPU-s, 64 KiB (a file stream's default) in 2.7,
 * 1 MiB in 37. So the text is handed over in pieces of this many characters.
 */
const PAPA_CHUNK = 4096;

async function* papaPieces(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const chunk of chunks) {
    const text = first ? chunk.replace(/^\uFEFF/, '') : chunk;
    first = false;
    for (let i = 0; i < text.length; i += PAPA_CHUNK) yield text.slice(i, i + PAPA_CHUNK);
  }
}

export async function* parseSimCsv(chunks: AsyncIterable<string>, file: string, maxLineBytes = Infinity): AsyncGenerator<Parsed> {
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { header: false, skipEmptyLines: false });
  const source = Readable.from(papaPieces(chunks));
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);

  let header: string[] | null = null;
  let nextLine = 1;
  for await (const row of parser as AsyncIterable<string[]>) {
    // A quoted field may span lines: the row starts where the previous one ended.
    const line = nextLine;
    let rowChars = row.length - 1;
    for (const field of row) {
      rowChars += field.length;
      for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) nextLine++;
    }
    nextLine++;
    if (rowChars > maxLineBytes) {
      yield { error: new TraceParseError({ file, line, column: 1 }, 'line longer than the limit (PRITRACE_MAX_LINE_BYTES)') };
      continue;
    }
    if (row.length === 1 && row[0]!.trim() === '') {
      yield { skipped: true };
      continue;
    }
    if (!header) {
      header = row.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
      const missing: string[] = SIM_REQUIRED.filter((c) => !header!.includes(c));
      if (simTimeColumn(header) === null) missing.unshift('ts_ns|ts_us|ts_s');
      if (missing.length) throw new TraceParseError({ file, line, column: 1 }, `CSV header lacks ${missing.join(', ')}`);
      yield { skipped: true };
      continue;
    }
    if (row.length !== header.length) {
      yield {
        error: new TraceParseError({ file, line, column: 1 }, `expected ${header.length} fields as in the header, found ${row.length}`),
      };
      continue;
    }
    const rec: SimRecord = {};
    for (let i = 0; i < header.length; i++) rec[header[i]!] = row[i];
    try {
      yield { event: simRecordToEvent(rec, new CsvRow(file, line, row, header)) };
    } catch (e) {
      if (e instanceof TraceParseError) yield { error: e };
      else throw e;
    }
  }
}

/** Where a row is, for its errors: the column of a field is where it starts in the row (as written, without quotes), 1-based. */
class CsvRow implements RecordContext {
  constructor(
    readonly file: string,
    readonly line: number,
    private readonly row: readonly string[],
    private readonly header: readonly string[],
  ) {}

  columnOf(f: string): number {
    const idx = this.header.indexOf(f);
    if (idx < 0) return 1;
    let col = 1;
    for (let i = 0; i < idx; i++) col += this.row[i]!.length + 1;
    return col;
  }
}
