// Simulator traces as JSON Lines: one JSON object per line with the CSV's field names.
// JSON numbers above 2^53 would lose digits in JSON.parse, so long bare integers are quoted
// before parsing; every value then goes through the same string conversions as the CSV.

import { TraceParseError } from '../../core/errors.ts';
import { SIM_REQUIRED, parsedRecord, simTimeColumn, type Parsed, type RecordContext, type SimRecord } from './sim-record.ts';

const LONG_INT = /([:,[]\s*)(-?\d{16,})(?=\s*[,}\]])/g;

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text.replace(LONG_INT, '$1"$2"'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function detectSimJsonl(lines: readonly string[]): boolean {
  const first = lines.find((l) => l.trim() !== '');
  if (!first) return false;
  const obj = parseObject(first.replace(/^\uFEFF/, ''));
  if (!obj) return false;
  const keys = Object.keys(obj);
  return simTimeColumn(keys) !== null && SIM_REQUIRED.every((c) => keys.includes(c));
}

export async function* parseSimJsonl(lines: AsyncIterable<string>, file: string, maxLineBytes = Infinity): AsyncGenerator<Parsed> {
  let line = 0;
  for await (const raw of lines) {
    line++;
    if (raw.length > maxLineBytes) {
      yield { error: new TraceParseError({ file, line, column: 1 }, 'line longer than the limit (PRITRACE_MAX_LINE_BYTES)') };
      continue;
    }
    const text = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (text === '') {
      yield { skipped: true };
      continue;
    }
    const obj = parseObject(text);
    if (!obj) {
      yield { error: new TraceParseError({ file, line, column: 1 }, 'not a JSON object') };
      continue;
    }
    // The parsed object becomes the record in place (no entries arrays per line).
    const rec = obj as SimRecord;
    for (const k in obj) {
      const v = obj[k];
      rec[k] = v === null || v === undefined ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    yield parsedRecord(rec, new JsonLine(file, line, raw));
  }
}

/** Where a line is, for its errors: a field's column is where its quoted name first appears. */
class JsonLine implements RecordContext {
  constructor(
    readonly file: string,
    readonly line: number,
    private readonly raw: string,
  ) {}

  columnOf(f: string): number {
    return Math.max(1, this.raw.indexOf(`"${f}"`) + 1);
  }
}
