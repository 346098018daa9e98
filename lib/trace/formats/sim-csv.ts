// Simulator traces as CSV (DESIGN §4): a header row, then one event per row. Parsed by
// papaparse with every value kept as a string (no dynamicTyping: 64-bit values must never pass
// through Number), then converted field by field in sim-record.ts. Streams: text is parsed a
// block of whole lines at a time (csvRows) and its rows yielded as they are parsed. Line numbers are physical lines: a quoted field that spans lines moves
// the next row's line on.

import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { TraceParseError } from '../../core/errors.ts';
import { SIM_REQUIRED, parsedRecord, simTimeColumn, type Parsed, type RecordContext, type SimRecord } from './sim-record.ts';

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

/**
 * Text parsed at once, outside stream mode, where papaparse is linear: the bench's 77 MB CSV
 * took 1.3 s in blocks of 1 MiB against ~3 s in 4 KiB stream pieces (and their async turns).
 */
const BLOCK_CHARS = 1 << 20;

async function* papaPieces(text: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  for (let chunk = text; ;) {
    for (let i = 0; i < chunk.length; i += PAPA_CHUNK) yield chunk.slice(i, i + PAPA_CHUNK);
    const next = await rest.next();
    if (next.done) return;
    chunk = next.value;
  }
}

/** Rows parsed together; quoteFree: from text without quotes, so no field holds a line break. */
export interface RowBlock {
  rows: string[][];
  quoteFree: boolean;
}

/**
 * The rows papaparse makes of the whole text. Blocks are parsed whole, cut after a line break:
 * exact only while no quote has been seen, since a quoted field may hold line breaks (and a
 * quote inside an unquoted field is a plain char to papaparse, so counting quotes cannot place
 * a cut). From the first block with a quote, the rest goes through stream mode, from that
 * block's start — a row start. The line break is papaparse's own guess from the first piece
 * stream mode would have seen, fixed for every block.
 */
export async function* csvRows(chunks: AsyncIterable<string>): AsyncGenerator<RowBlock> {
  const it = chunks[Symbol.asyncIterator]();
  // The text not parsed yet, as it came (joined only to cut: a long line must not be copied
  // again with every chunk), its length, and where its last line break ends (0: none).
  let parts: string[] = [];
  let size = 0;
  let lastBreak = 0;
  let newline: string | null = null;
  for (;;) {
    const next = await it.next();
    if (!next.done) {
      const text: string = newline === null ? next.value.replace(/^\uFEFF/, '') : next.value;
      newline ??= (Papa.parse(text.slice(0, PAPA_CHUNK), { preview: 1 }).meta.linebreak as string | undefined) ?? '\n';
      if (text.includes('"')) {
        parts.push(text);
        yield* streamRows(parts.join(''), it, newline);
        return;
      }
      // (A CRLF split between two chunks is not a cut: a later break in the text will be.)
      const k = text.lastIndexOf(newline);
      if (k >= 0) lastBreak = size + k + newline.length;
      parts.push(text);
      size += text.length;
      if (size < BLOCK_CHARS || lastBreak === 0) continue;
    }
    const all = parts.join('');
    const cut = next.done ? all.length : lastBreak;
    // (cut is 0 when no text came at all, the one case without a guessed line break.)
    if (cut > 0) yield { rows: blockRows(all.slice(0, cut), newline!), quoteFree: true };
    if (next.done) return;
    parts = [all.slice(cut)];
    size = parts[0]!.length;
    lastBreak = 0;
  }
}

/** papaparse's rows of whole lines of text, as stream mode makes them. */
function blockRows(block: string, newline: string): string[][] {
  const rows = Papa.parse<string[]>(block, { header: false, skipEmptyLines: false, newline: newline as '\n' }).data;
  // After a final line break papaparse adds an empty row, which stream mode does not make.
  if (block.endsWith(newline)) rows.pop();
  return rows;
}

async function* streamRows(text: string, rest: AsyncIterator<string>, newline: string): AsyncGenerator<RowBlock> {
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { header: false, skipEmptyLines: false, newline: newline as '\n' });
  const source = Readable.from(papaPieces(text, rest));
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  for await (const row of parser as AsyncIterable<string[]>) yield { rows: [row], quoteFree: false };
}

export async function* parseSimCsv(chunks: AsyncIterable<string>, file: string, maxLineBytes = Infinity): AsyncGenerator<Parsed> {
  let header: string[] | null = null;
  let nextLine = 1;
  for await (const { rows, quoteFree } of csvRows(chunks))
    for (const row of rows) {
      // A quoted field may span lines: the row starts where the previous one ended.
      const line = nextLine;
      let rowChars = row.length - 1;
      for (const field of row) {
        rowChars += field.length;
        if (!quoteFree) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) nextLine++;
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
      yield parsedRecord(rec, new CsvRow(file, line, row, header));
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
