// GET a postmortem export of one trace as a download, the same files as `pritrace report` /
// `pritrace export`: ?format=md | html | groups-csv | chrome-json [&run=RUN_ID] | chart-csv&chart=NAME.
// 404 for an unknown trace or run (or a run of another trace), 400 for a bad format or chart.

import { NotFoundError } from '@/lib/core/errors.ts';
import { getReplayRun } from '@/lib/queries/replay-runs.ts';
import { writeRunChromeJson, writeTraceChromeJson } from '@/lib/postmortem/chrome-trace.ts';
import { CHART_CSV_NAMES, chartCsv, isChartCsvName, writeFaultGroupsCsv, writeReplayGroupsCsv } from '@/lib/postmortem/csv.ts';
import { renderHtml } from '@/lib/postmortem/html.ts';
import { renderMarkdown } from '@/lib/postmortem/markdown.ts';
import { gatherPostmortem } from '@/lib/postmortem/report-data.ts';
import { traceHeader } from '@/lib/queries/charts/trace-header.ts';
import { parseId } from '@/lib/core/ids.ts';
import { withDb } from '../../../../_data/db.ts';
import { badRequest, errorResponse, notAnId } from '../../../_http.ts';
import { attachment, streamDownload } from '../../../_stream.ts';

export const dynamic = 'force-dynamic';

const FORMATS = ['md', 'html', 'groups-csv', 'chrome-json', 'chart-csv'] as const;
type Format = (typeof FORMATS)[number];

export async function GET(request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const traceId = parseId((await ctx.params).id);
  if (traceId === null) return notAnId('trace id must be a number');
  const q = new URL(request.url).searchParams;
  const format = q.get('format') ?? '';
  if (!(FORMATS as readonly string[]).includes(format)) return badRequest(`format must be one of ${FORMATS.join(', ')}`);
  const chart = q.get('chart') ?? '';
  if (format === 'chart-csv' && !isChartCsvName(chart)) return badRequest(`chart must be one of ${CHART_CSV_NAMES.join(', ')}`);
  const runParam = q.get('run');
  const runId = parseId(runParam);
  if (runParam !== null && ((format !== 'chrome-json' && format !== 'groups-csv') || runId === null)) {
    return badRequest('run is a replay run id, and only with format=chrome-json or groups-csv');
  }
  const base = `trace-${traceId}`;
  try {
    switch (format as Format) {
      case 'md':
      case 'html': {
        const data = await withDb((db) => gatherPostmortem(db, traceId));
        const html = format === 'html';
        const body = html ? renderHtml(data) : renderMarkdown(data);
        return new Response(body, {
          headers: attachment(`${base}-report.${html ? 'html' : 'md'}`, html ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8'),
        });
      }
      case 'chart-csv': {
        const data = await withDb((db) => gatherPostmortem(db, traceId));
        return new Response(chartCsv(data, chart as (typeof CHART_CSV_NAMES)[number]), {
          headers: attachment(`${base}-${chart}.csv`, 'text/csv; charset=utf-8'),
        });
      }
      case 'groups-csv': {
        if (runId === null) {
          await withDb((db) => traceHeader(db, traceId));
          return streamDownload(attachment(`${base}-fault-groups.csv`, 'text/csv; charset=utf-8'), (db, emit) => writeFaultGroupsCsv(db, traceId, emit));
        }
        const run = await withDb((db) => getReplayRun(db, runId));
        if (run.trace_id !== traceId) throw new NotFoundError(`replay run ${runId} is not a run of trace ${traceId}`);
        return streamDownload(attachment(`${base}-run-${runId}-groups.csv`, 'text/csv; charset=utf-8'), (db, emit) => writeReplayGroupsCsv(db, runId, emit));
      }
      case 'chrome-json': {
        if (runId === null) {
          await withDb((db) => traceHeader(db, traceId));
          return streamDownload(attachment(`${base}-chrome.json`, 'application/json'), (db, emit) => writeTraceChromeJson(db, traceId, emit));
        }
        const run = await withDb((db) => getReplayRun(db, runId));
        if (run.trace_id !== traceId) throw new NotFoundError(`replay run ${runId} is not a run of trace ${traceId}`);
        return streamDownload(attachment(`${base}-run-${runId}-chrome.json`, 'application/json'), (db, emit) => writeRunChromeJson(db, runId, emit));
      }
    }
  } catch (e) {
    return errorResponse(e);
  }
}
