// Picks a file's format from its first lines, by content (never by extension). Pure: the
// store reads the head of the file and passes its lines. When nothing fits, the error names
// every format that was tried and why it did not fit.

import { printable, TraceRejectedError } from '../core/errors.ts';
import type { TraceFormat } from './schema.ts';
import { detectFtrace } from './formats/ftrace/line.ts';
import { detectSimCsv } from './formats/sim-csv.ts';
import { detectSimJsonl } from './formats/sim-jsonl.ts';

interface Detector {
  name: string;
  detect(lines: readonly string[]): TraceFormat | null;
}

const DETECTORS: readonly Detector[] = [
  { name: 'ftrace text (trace, trace_pipe) / trace-cmd report', detect: detectFtrace },
  { name: 'simulator CSV (header with ts_ns|ts_us|ts_s,kind,...)', detect: (l) => (detectSimCsv(l) ? 'sim-csv' : null) },
  { name: 'simulator JSON Lines', detect: (l) => (detectSimJsonl(l) ? 'sim-jsonl' : null) },
];

/** trace.dat is recognised before any of these, by its first bytes (services/ingest.ts); a rejection names it too, after the first line, where the message has always ended. */
const DAT_TRIED = 'trace-cmd trace.dat (its first bytes are 17 08 44 "tracing")';

export function detectFormat(file: string, headLines: readonly string[]): TraceFormat {
  const content = headLines.filter((l) => l.trim() !== '');
  if (content.length === 0) throw new TraceRejectedError(file, 'empty file: no lines to ingest');
  for (const d of DETECTORS) {
    const f = d.detect(headLines);
    if (f) return f;
  }
  throw new TraceRejectedError(
    file,
    `unrecognised format; tried: ${DETECTORS.map((d) => d.name).join('; ')}. First line: "${printable(content[0]!, 120)}". Not a ${DAT_TRIED} either`,
  );
}
