// `pritrace export TRACE --format groups-csv|chrome-json|<chart>-csv [--run RUN_ID] [--out FILE]`:
// writes the trace's fault groups as CSV (or, with --run, a saved replay run's groups with their
// replayed requested/reported/response/done times and longest stage), a Chrome JSON trace for
// Perfetto (of the trace, or of a saved replay run with --run), or the data of one report chart as CSV. Large exports stream
// to a temporary file renamed into place at the end, so a failed export leaves no half file.

import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { once } from 'node:events';
import { CliError, NotFoundError } from '../../core/errors.ts';
import { parseId } from '../../core/ids.ts';
import { getReplayRun } from '../../queries/replay-runs.ts';
import { writeRunChromeJson, writeTraceChromeJson } from '../../postmortem/chrome-trace.ts';
import { CHART_CSV_NAMES, chartCsv, isChartCsvName, writeFaultGroupsCsv, writeReplayGroupsCsv } from '../../postmortem/csv.ts';
import type { Emit } from '../../postmortem/paged-rows.ts';
import { gatherPostmortem } from '../../postmortem/report-data.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';

const FORMATS = ['groups-csv', 'chrome-json', ...CHART_CSV_NAMES.map((c) => `${c}-csv`)];
const USAGE = `pritrace export TRACE --format ${FORMATS.join('|')} [--run RUN_ID] [--out FILE] [--db PATH] [--json]`;

export interface Output {
  emit: Emit;
  /** Completes the file (renamed into place) or stdout; returns where it went and its size. */
  finish(): Promise<{ out: string | null; bytes: number }>;
  /** Removes the partial file after a failure. */
  abort(): void;
}

/** FILE, or stdout for '-' / no --out; shared by the report and export commands. */
export function openOutput(out: string | undefined): Output {
  let bytes = 0;
  if (out === undefined || out === '-') {
    return {
      async emit(chunk) {
        bytes += Buffer.byteLength(chunk);
        if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      },
      async finish() {
        return { out: null, bytes };
      },
      abort() {},
    };
  }
  const target = path.resolve(out);
  const partial = `${target}.partial-${process.pid}`;
  const stream = fs.createWriteStream(partial);
  const failed: { error: Error | null } = { error: null };
  stream.on('error', (e) => (failed.error = e));
  const fail = (e: unknown) => new CliError(`cannot write ${out}: ${(e as Error).message}`, 1, { cause: e });
  return {
    async emit(chunk) {
      if (failed.error) throw fail(failed.error);
      bytes += Buffer.byteLength(chunk);
      if (!stream.write(chunk)) await once(stream, 'drain').catch((e: unknown) => Promise.reject(fail(e)));
    },
    async finish() {
      stream.end();
      await finished(stream).catch((e: unknown) => Promise.reject(fail(e)));
      fs.renameSync(partial, target);
      return { out: target, bytes };
    },
    abort() {
      stream.destroy();
      fs.rmSync(partial, { force: true });
    },
  };
}

function parseRunId(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const id = parseId(text);
  if (id === null) throw new CliError(`--run must be a run id (digits), got ${JSON.stringify(text)}`, 2);
  return id;
}

interface ExportOp {
  ref: string;
  format: string;
  runId: number | undefined;
  out: string | undefined;
}

interface ExportSummary {
  trace_id: number;
  name: string;
  detail: Record<string, unknown>;
}

export const exportVerb: DbVerb<ExportOp, ExportSummary> = {
  name: 'export',
  prepare(argv) {
    const { values, positionals } = parse(argv, { format: { type: 'string' }, run: { type: 'string' }, out: { type: 'string' } }, USAGE);
    const ref = positional(positionals, 'TRACE (id or name)', USAGE);
    const format = values.format;
    if (format === undefined) throw new CliError(`missing --format\nusage: ${USAGE}`, 2);
    if (!FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}; got ${JSON.stringify(format)}`, 2);
    const runId = parseRunId(values.run);
    if (runId !== undefined && format !== 'chrome-json' && format !== 'groups-csv')
      throw new CliError('--run applies to --format chrome-json and groups-csv only', 2);
    if (values.json && (values.out === undefined || values.out === '-'))
      throw new CliError(`--json needs --out FILE (stdout carries the JSON)\nusage: ${USAGE}`, 2);
    return { op: { ref, format, runId, out: values.out }, db: values.db, json: values.json };
  },
  async execute(db, { ref, format, runId }, { emit }) {
    const trace = await resolveTrace(db, ref);
    if (runId !== undefined) {
      const run = await getReplayRun(db, runId);
      if (run.trace_id !== trace.trace_id) throw new NotFoundError(`replay run ${runId} is not a run of trace ${trace.trace_id} "${trace.name}"`);
    }
    let detail: Record<string, unknown>;
    if (format === 'groups-csv') {
      detail = runId === undefined ? await writeFaultGroupsCsv(db, trace.trace_id, emit) : await writeReplayGroupsCsv(db, runId, emit);
    } else if (format === 'chrome-json') {
      detail = runId === undefined ? { ...(await writeTraceChromeJson(db, trace.trace_id, emit)) } : { ...(await writeRunChromeJson(db, runId, emit)) };
    } else {
      const chart = format.slice(0, -'-csv'.length);
      if (!isChartCsvName(chart)) throw new CliError(`unknown chart ${chart}`, 2);
      const text = chartCsv(await gatherPostmortem(db, trace.trace_id), chart);
      await emit(text);
      detail = { rows: Math.max(0, text.split('\r\n').length - 2) };
    }
    return { trace_id: trace.trace_id, name: trace.name, detail };
  },
};

export async function exportCommand(argv: string[]): Promise<void> {
  const prepared = exportVerb.prepare(argv);
  const { format, runId, out } = prepared.op;
  const output = openOutput(out);
  let result: ExportSummary;
  let written: Awaited<ReturnType<typeof output.finish>>;
  try {
    result = await runVerb(exportVerb, argv, prepared, output.emit);
    written = await output.finish();
  } catch (e) {
    output.abort();
    throw e;
  }
  const doc = { trace_id: result.trace_id, name: result.name, format, run_id: runId ?? null, out: written.out, bytes: written.bytes, ...result.detail };
  if (prepared.json) return printJson(doc);
  if (written.out !== null) process.stdout.write(`wrote ${written.out} (${written.bytes} bytes)\n`);
}
