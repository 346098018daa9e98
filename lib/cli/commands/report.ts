// `pritrace report TRACE [--format md|html] [--out FILE]`: the trace's postmortem (summary,
// percentile table, charts, annotations, replay comparison) as Markdown or self-contained
// HTML, the same document the report page downloads. Without --out it goes to stdout; the
// format defaults to the --out extension (.html/.htm), else Markdown.

import { CliError } from '../../core/errors.ts';
import { renderHtml } from '../../postmortem/html.ts';
import { renderMarkdown } from '../../postmortem/markdown.ts';
import { gatherPostmortem } from '../../postmortem/report-data.ts';
import type { LatencyFigures } from '../../queries/trace-stats.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, positional, printJson } from '../args.ts';
import { runVerb, type DbVerb } from '../verb.ts';
import { openOutput } from './export.ts';

const USAGE = 'pritrace report TRACE [--format md|html] [--out FILE] [--db PATH] [--json]';

interface ReportOp {
  ref: string;
  format: 'md' | 'html';
  out: string | undefined;
}

export const reportVerb: DbVerb<ReportOp, ReportSummary> = {
  name: 'report',
  prepare(argv) {
    const { values, positionals } = parse(argv, { format: { type: 'string' }, out: { type: 'string' } }, USAGE);
    const ref = positional(positionals, 'TRACE (id or name)', USAGE);
    const format = values.format ?? (/\.html?$/i.test(values.out ?? '') ? 'html' : 'md');
    if (format !== 'md' && format !== 'html') throw new CliError(`--format must be md or html, got ${JSON.stringify(format)}`, 2);
    if (values.json && (values.out === undefined || values.out === '-'))
      throw new CliError(`--json needs --out FILE (stdout carries the JSON)\nusage: ${USAGE}`, 2);
    return { op: { ref, format, out: values.out }, db: values.db, json: values.json };
  },
  async execute(db, op, ctx) {
    const trace = await resolveTrace(db, op.ref);
    const data = await gatherPostmortem(db, trace.trace_id);
    await ctx.emit(op.format === 'html' ? renderHtml(data) : renderMarkdown(data));
    return {
      trace_id: trace.trace_id,
      name: trace.name,
      format: op.format,
      groups: data.stats.groups.total,
      latency_ns: data.stats.latency_ns,
      annotations: data.annotations.length,
      replay_runs: data.replay.runs.length,
      generated_at: data.generated_at,
    };
  },
};

interface ReportSummary {
  trace_id: number;
  name: string;
  format: 'md' | 'html';
  groups: number;
  latency_ns: LatencyFigures;
  annotations: number;
  replay_runs: number;
  generated_at: string;
}

export async function reportCommand(argv: string[]): Promise<void> {
  const prepared = reportVerb.prepare(argv);
  const output = openOutput(prepared.op.out);
  let summary: ReportSummary;
  let written: Awaited<ReturnType<typeof output.finish>>;
  try {
    summary = await runVerb(reportVerb, argv, prepared, output.emit);
    written = await output.finish();
  } catch (e) {
    output.abort();
    throw e;
  }
  if (prepared.json) {
    const { trace_id, name, format, ...figures } = summary;
    return printJson({ trace_id, name, format, out: written.out, bytes: written.bytes, ...figures });
  }
  if (written.out !== null) process.stdout.write(`wrote ${written.out} (${written.bytes} bytes)\n`);
}
