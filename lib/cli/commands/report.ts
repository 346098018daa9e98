// `pritrace report TRACE [--format md|html] [--out FILE]`: the trace's postmortem (summary,
// percentile table, charts, annotations, replay comparison) as Markdown or self-contained
// HTML, the same document the report page downloads. Without --out it goes to stdout; the
// format defaults to the --out extension (.html/.htm), else Markdown.

import { CliError } from '../../core/errors.ts';
import { renderHtml } from '../../postmortem/html.ts';
import { renderMarkdown } from '../../postmortem/markdown.ts';
import { gatherPostmortem } from '../../postmortem/report-data.ts';
import { resolveTrace } from '../../queries/traces.ts';
import { parse, positional, printJson } from '../args.ts';
import { withDatabase } from '../database.ts';
import { openOutput } from './export.ts';

const USAGE = 'pritrace report TRACE [--format md|html] [--out FILE] [--db PATH] [--json]';

export async function reportCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { format: { type: 'string' }, out: { type: 'string' } }, USAGE);
  const ref = positional(positionals, 'TRACE (id or name)', USAGE);
  const format = values.format ?? (/\.html?$/i.test(values.out ?? '') ? 'html' : 'md');
  if (format !== 'md' && format !== 'html') throw new CliError(`--format must be md or html, got ${JSON.stringify(format)}`, 2);
  if (values.json && (values.out === undefined || values.out === '-')) throw new CliError(`--json needs --out FILE (stdout carries the JSON)\nusage: ${USAGE}`, 2);

  const { trace, data } = await withDatabase(values.db, async (db) => {
    const t = await resolveTrace(db, ref);
    return { trace: t, data: await gatherPostmortem(db, t.trace_id) };
  });
  const output = openOutput(values.out);
  let written: Awaited<ReturnType<typeof output.finish>>;
  try {
    await output.emit(format === 'html' ? renderHtml(data) : renderMarkdown(data));
    written = await output.finish();
  } catch (e) {
    output.abort();
    throw e;
  }
  if (values.json) {
    return printJson({
      trace_id: trace.trace_id,
      name: trace.name,
      format,
      out: written.out,
      bytes: written.bytes,
      groups: data.stats.groups.total,
      latency_ns: data.stats.latency_ns,
      annotations: data.annotations.length,
      replay_runs: data.replay.runs.length,
      generated_at: data.generated_at,
    });
  }
  if (written.out !== null) process.stdout.write(`wrote ${written.out} (${written.bytes} bytes)\n`);
}
