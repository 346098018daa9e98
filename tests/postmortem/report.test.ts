// The postmortem exports against a real DuckDB holding ingested samples, annotations and a saved
// replay run: Markdown figures equal `pritrace stats` (and the hand-worked fixture), HTML is
// self-contained and escaped, the fault-group CSV has one row per group with exact times, the
// Chrome JSON has exactly one non-overlapping slice per group.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createAnnotation } from '../../lib/db/annotations.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import type { Db } from '../../lib/db/instance.ts';
import { listReplayRuns } from '../../lib/queries/replay-runs.ts';
import { runReplayForTrace } from '../../lib/services/replay-runs.ts';
import { microseconds, writeRunChromeJson, writeTraceChromeJson } from '../../lib/postmortem/chrome-trace.ts';
import { chartCsv, CHART_CSV_NAMES, writeFaultGroupsCsv } from '../../lib/postmortem/csv.ts';
import { csvField, escapeHtml, escapeMarkdown } from '../../lib/postmortem/escape.ts';
import { renderHtml } from '../../lib/postmortem/html.ts';
import { renderMarkdown } from '../../lib/postmortem/markdown.ts';
import { svgChart } from '../../lib/postmortem/svg.ts';
import { FAULT_GROUP_COLUMNS } from '../../lib/postmortem/paged-rows.ts';
import { gatherPostmortem } from '../../lib/postmortem/report-data.ts';
import { RECORDED_COLOR, RUN_COLORS, runColor } from '../../lib/core/series-colors.ts';
import { traceStats } from '../../lib/queries/trace-stats.ts';
import { expected } from '../fixtures/expected.ts';
import { TRACES_DIR, tempFile, withTempDb } from '../helpers/temp-db.ts';

const HOSTILE = '<script>alert(1)</script> **bold** _it_ [x](javascript:alert(1)) | pipe `code` @team $x$ & ~~s~~\n# not a heading';
const FIXED_TIME = new Date('2026-01-02T03:04:05Z');

async function collect(fn: (emit: (chunk: string) => void) => Promise<unknown>): Promise<string> {
  const parts: string[] = [];
  await fn((c) => void parts.push(c));
  return parts.join('');
}

async function groupCount(db: Db, traceId: number): Promise<number> {
  const [r] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM fault_groups WHERE trace_id = $1', [traceId]);
  return Number(r!.n);
}

/** Ingests the v6.9 sample, adds three annotations (one hostile) and one replay run. */
async function withReportTrace(fn: (db: Db, traceId: number) => Promise<void>): Promise<void> {
  await withTempDb(async (db) => {
    const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'intel-v6.9-trace.txt') });
    const [t] = await db.all<{ first: bigint }>('SELECT first_ts_ns AS first FROM traces WHERE trace_id = $1', [trace_id]);
    const t0 = t!.first;
    await createAnnotation(db, { trace_id, start_ns: t0 + 200_000n, end_ns: t0 + 260_000n, author: 'ana <a@x>', text: HOSTILE });
    await createAnnotation(db, {
      trace_id,
      start_ns: t0 + 100_000n,
      end_ns: t0 + 100_000n,
      device: '0000:00:0a.0',
      pasid: 2,
      author: 'bo',
      text: 'first spike',
    });
    await createAnnotation(db, { trace_id, author: 'cy', text: 'whole-trace note' });
    await runReplayForTrace(db, trace_id, { model: 'domain-wide' });
    await fn(db, trace_id);
  });
}

function cells(line: string): string[] {
  return line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('postmortem report', () => {
  it('Markdown has the percentile table with the figures of traceStats and the fixture', async () => {
    await withReportTrace(async (db, traceId) => {
      const stats = await traceStats(db, traceId);
      const md = renderMarkdown(await gatherPostmortem(db, traceId, { generatedAt: FIXED_TIME }));
      const lines = md.split('\n');
      const header = lines.find((l) => l.startsWith('| measure |'));
      assert.ok(header, 'percentile table header');
      assert.deepEqual(cells(header), ['measure', 'p50 (ns)', 'p90 (ns)', 'p99 (ns)', 'p99.9 (ns)', 'max (ns)', 'mean (ns)']);
      const latency = cells(lines.find((l) => l.startsWith('| latency (response'))!);
      const span = cells(lines.find((l) => l.startsWith('| span (response'))!);
      const keys = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
      keys.forEach((k, i) => {
        assert.equal(Number(latency[i + 1]), stats.latency_ns[k], `latency ${k}`);
        assert.equal(Number(span[i + 1]), stats.span_ns[k], `span ${k}`);
        assert.equal(Number(latency[i + 1]), expected['intel-v6.9-trace.txt']!.latency_ns[k], `fixture ${k}`);
      });
      assert.equal(Number(latency[6]), Number(stats.latency_ns.mean!.toFixed(1)));
      assert.match(md, /^## Latency histogram$/m);
      assert.match(md, /^```text$/m);
      assert.match(md, /^## Replay comparison$/m);
      assert.match(md, /^\| 1 \| domain-wide \| v6\.9 \|/m, 'the saved run is in the comparison table');
      assert.match(md, /generated 2026-01-02T03:04:05\.000Z/);
    });
  });

  it("a run's row shows the mean over its seeds, as the replay page does, not its first seed", async () => {
    await withReportTrace(async (db, traceId) => {
      const [run] = await listReplayRuns(db, traceId);
      const perSeed = run!.summary.seed_samples!.latency_ns.p50 as number[];
      assert.ok(perSeed.length > 1 && new Set(perSeed).size > 1, 'the seeds differ, so mean and first seed can be told apart');
      const mean = Math.round(perSeed.reduce((a, v) => a + v, 0) / perSeed.length);
      const md = renderMarkdown(await gatherPostmortem(db, traceId, { generatedAt: FIXED_TIME }));
      const row = cells(md.split('\n').find((l) => /^\| 1 \| domain-wide \|/.test(l))!);
      assert.match(row[5]!, new RegExp(`^${mean} ± \\d+$`), `p50 cell ${row[5]} is the mean ${mean} of ${perSeed.join(', ')}`);
      const html = renderHtml(await gatherPostmortem(db, traceId, { generatedAt: FIXED_TIME }));
      assert.ok(html.includes(`${mean} ± `), 'the HTML export shows the same mean');
    });
  });

  it('Markdown lists annotations in time order and escapes their text', async () => {
    await withReportTrace(async (db, traceId) => {
      const md = renderMarkdown(await gatherPostmortem(db, traceId, { generatedAt: FIXED_TIME }));
      const section = md.slice(md.indexOf('## Annotations'), md.indexOf('## Replay comparison'));
      const items = section.split('\n').filter((l) => /^\d+\. /.test(l));
      assert.equal(items.length, 3);
      assert.match(items[0]!, /^1\. \*\*at \+100 µs · device 0000:00:0a\.0 · PASID 2\*\* — bo/);
      assert.match(items[1]!, /^2\. \*\*\+200 µs → \+260 µs\*\* — ana &#60;a\\@x&#62;/);
      assert.match(items[2]!, /^3\. \*\*whole trace\*\* — cy/);
      assert.ok(!md.includes('<script>'), 'no raw HTML');
      assert.ok(!md.includes('<a@x>'));
      assert.ok(items[1]!.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
      assert.ok(
        items[1]!.includes('\\*\\*bold\\*\\* \\_it\\_ \\[x\\](javascript:alert(1)) \\| pipe \\`code\\` \\@team \\$x\\$ &#38; \\~\\~s\\~\\~ \\# not a heading'),
      );
      assert.ok(!/^# not a heading/m.test(md), 'a newline in the text does not start a heading');
    });
  });

  it('HTML is self-contained, script-free and escapes annotation text', async () => {
    await withReportTrace(async (db, traceId) => {
      const html = renderHtml(await gatherPostmortem(db, traceId, { generatedAt: FIXED_TIME }));
      assert.match(html, /^<!doctype html>/);
      assert.doesNotMatch(html, /https?:\/\//i, 'no URLs to fetch');
      assert.doesNotMatch(html, /<script/i);
      assert.doesNotMatch(html, /\bsrc\s*=/i);
      assert.doesNotMatch(html, /<link|@import|url\(/i);
      assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
      assert.equal(html.match(/<svg /g)?.length, 3, 'histogram, CDF, latency over time');
      assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
      assert.ok(html.includes('ana &#60;a@x&#62;'));
      // The annotation band on the time chart carries the (escaped) note as its tooltip.
      assert.ok(html.includes('<title>#2 ana &#60;a@x&#62;: &#60;script&#62;'));
      const stats = await traceStats(db, traceId);
      assert.ok(html.includes(`<td class="n">${stats.latency_ns.p99}</td>`));
    });
  });

  it('a run keeps its colour by id, whatever runs are drawn beside it', () => {
    assert.equal(runColor(1), '#0072b2');
    assert.equal(runColor(2), '#e69f00');
    assert.equal(runColor(6), '#56b4e9');
    assert.equal(runColor(7), '#0072b2', 'seven wraps to the first of six');
    assert.equal(new Set([1, 2, 3, 4, 5, 6].map(runColor)).size, 6, 'six consecutive runs, six colours');
    assert.ok(!RUN_COLORS.includes(RECORDED_COLOR as (typeof RUN_COLORS)[number]), 'the recording never looks like a run');
    assert.throws(() => runColor(1.5), RangeError);
  });

  it('the HTML charts draw each run in its own colour, dashed, the recording in grey, percentiles as on the web', async () => {
    await withReportTrace(async (db, traceId) => {
      const html = renderHtml(await gatherPostmortem(db, traceId, { generatedAt: FIXED_TIME }));
      // The one saved run is run 1: #0072b2 by hand from the palette's first entry.
      assert.match(html, /<polyline points="[^"]+" fill="none" stroke="#0072b2" stroke-width="1\.6" stroke-dasharray="6 4" data-series="run 1 domain-wide"\/>/);
      assert.match(html, /<polyline points="[^"]+" fill="none" stroke="#6b7280" stroke-width="1\.6" data-series="recorded"\/>/);
      assert.match(html, /<rect x="[\d.]+" y="24" width="10" height="10" fill="#0072b2"\/><text [^>]+>run 1 domain-wide</);
      // Latency over time: p50 and p99 in the web chart's colours.
      assert.match(html, /stroke="#2457c5" stroke-width="1\.6" data-series="p50"/);
      assert.match(html, /stroke="#d9480f" stroke-width="1\.6" data-series="p99"/);
    });
  });

  it('renders a trace with no answered groups, annotations or runs', async () => {
    await withTempDb(async (db) => {
      const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'amd-io-page-fault.txt') });
      const data = await gatherPostmortem(db, trace_id);
      assert.match(renderMarkdown(data), /No answered groups\.[\s\S]*No annotations\.[\s\S]*No saved replay runs/);
      const html = renderHtml(data);
      assert.match(html, /No answered groups\./);
      assert.doesNotMatch(html, /<svg /);
    });
  });

  it('fault-group CSV has one row per group, pages seamlessly and keeps times exact', async () => {
    await withTempDb(async (db) => {
      // ts_ns from 2^53 + 1: any trip through a double would show.
      const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'sim-small.csv') });
      const n = await groupCount(db, trace_id);
      for (const pageRows of [1, 3, 1000]) {
        let result = { rows: -1 };
        const csv = await collect(async (emit) => (result = await writeFaultGroupsCsv(db, trace_id, emit, pageRows)));
        const lines = csv.split('\r\n');
        assert.equal(lines.pop(), '', 'ends with CRLF');
        assert.equal(lines[0], FAULT_GROUP_COLUMNS.join(','));
        assert.equal(lines.length - 1, n, `one row per group (pageRows ${pageRows})`);
        assert.equal(result.rows, n);
        assert.deepEqual(
          lines.slice(1).map((l) => Number(l.split(',')[0])),
          Array.from({ length: n }, (_, i) => i + 1),
        );
      }
      const rows = await db.all<{ group_no: bigint; first_ts_ns: bigint | null }>(
        'SELECT group_no, first_ts_ns FROM fault_groups WHERE trace_id = $1 ORDER BY group_no',
        [trace_id],
      );
      const csv = await collect((emit) => writeFaultGroupsCsv(db, trace_id, emit));
      const col = FAULT_GROUP_COLUMNS.indexOf('first_ts_ns');
      csv
        .split('\r\n')
        .slice(1, -1)
        .forEach((line, i) => {
          assert.equal(line.split(',')[col], rows[i]!.first_ts_ns === null ? '' : rows[i]!.first_ts_ns!.toString());
        });
      assert.ok(rows.some((r) => r.first_ts_ns !== null && r.first_ts_ns > 9007199254740992n));
    });
  });

  it('chart CSVs carry each chart’s data', async () => {
    await withReportTrace(async (db, traceId) => {
      const data = await gatherPostmortem(db, traceId);
      for (const name of CHART_CSV_NAMES) assert.ok(chartCsv(data, name).endsWith('\r\n'), name);
      const hist = chartCsv(data, 'histogram').trim().split('\r\n');
      assert.equal(hist[0], 'lower_ns,upper_ns,groups');
      assert.equal(
        hist.slice(1).reduce((s, l) => s + Number(l.split(',')[2]), 0),
        data.stats.groups.answered,
      );
      const notes = chartCsv(data, 'annotations');
      assert.ok(notes.includes('"<script>alert(1)</script> **bold** _it_ [x](javascript:alert(1)) | pipe `code` @team $x$ & ~~s~~\n# not a heading"'));
      const cdf = chartCsv(data, 'replay-cdf').trim().split('\r\n');
      assert.ok(cdf.some((l) => l.startsWith('recorded,')) && cdf.some((l) => l.startsWith('run 1,')));
    });
  });

  it('Chrome JSON parses and has exactly one slice per group, none overlapping on a thread', async () => {
    await withReportTrace(async (db, traceId) => {
      const n = await groupCount(db, traceId);
      for (const pageRows of [2, 20_000]) {
        let summary: Awaited<ReturnType<typeof writeTraceChromeJson>> | undefined;
        const text = await collect(async (emit) => (summary = await writeTraceChromeJson(db, traceId, emit, pageRows)));
        const doc = JSON.parse(text) as { displayTimeUnit: string; traceEvents: ChromeEvent[] };
        checkChromeDoc(doc.traceEvents, n);
        assert.equal(summary!.slices, n);
        const groupNos = doc.traceEvents.filter((e) => e.ph === 'X').map((e) => e.args!.group_no as number);
        assert.deepEqual(
          [...groupNos].sort((a, b) => a - b),
          Array.from({ length: n }, (_, i) => i + 1),
          'every group once',
        );
        assert.ok(doc.traceEvents.some((e) => e.ph === 'C' && e.name === 'outstanding groups (all devices)'));
      }
    });
  });

  it('Chrome JSON of a replay run has one slice per replayed group and the PRQ depth counter', async () => {
    await withReportTrace(async (db, traceId) => {
      const [r] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM replay_results WHERE run_id = 1');
      const text = await collect((emit) => writeRunChromeJson(db, 1, emit, 3));
      const doc = JSON.parse(text) as { otherData: Record<string, string>; traceEvents: ChromeEvent[] };
      checkChromeDoc(doc.traceEvents, Number(r!.n));
      assert.equal(doc.otherData.run_id, '1');
      assert.equal(doc.otherData.trace_id, String(traceId));
      assert.ok(doc.traceEvents.some((e) => e.ph === 'C' && e.name === 'PRQ depth (fullest IOMMU)'));
    });
  });

  it('overlapping groups of one PASID go to extra lanes; a PASID shared by two devices keeps its threads apart', async () => {
    // Device A, PASID 7: PRGIs 1, 2, 3 outstanding together; device B also uses PASID 7.
    const rows = [
      '1000,page_request,0000:00:0a.0,7,1,1,0x1000,r,',
      '1100,page_request,0000:00:0a.0,7,2,1,0x2000,r,',
      '1200,page_request,0000:00:0a.0,7,3,1,0x3000,r,',
      '1300,page_request,0000:00:0b.0,7,1,1,0x4000,r,',
      '2000,page_response,0000:00:0a.0,7,1,,,,0',
      '2100,page_response,0000:00:0a.0,7,2,,,,0',
      '2200,page_response,0000:00:0a.0,7,3,,,,0',
      '2300,page_response,0000:00:0b.0,7,1,,,,0',
      '3000,page_request,0000:00:0a.0,7,1,1,0x1000,r,',
      '3500,page_response,0000:00:0a.0,7,1,,,,0',
    ];
    const file = tempFile('overlap.csv', ['ts_ns,kind,device,pasid,prgi,last,addr,perm,code', ...rows].join('\n') + '\n');
    await withTempDb(async (db) => {
      const { trace_id } = await ingestFile(db, { file });
      const doc = JSON.parse(await collect((emit) => writeTraceChromeJson(db, trace_id, emit))) as { traceEvents: ChromeEvent[] };
      checkChromeDoc(doc.traceEvents, 5);
      const names = new Map(doc.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args!.name]));
      assert.deepEqual([...names.values()].sort(), ['PASID 7', 'PASID 7', 'PASID 7 · 2', 'PASID 7 · 3']);
      const slices = doc.traceEvents.filter((e) => e.ph === 'X');
      const laneOf = (groupNo: number) =>
        names.get(`${slices.find((s) => s.args!.group_no === groupNo)!.pid}:${slices.find((s) => s.args!.group_no === groupNo)!.tid}`);
      assert.equal(laneOf(5), 'PASID 7', 'a later group reuses the first free lane');
      const first = slices.find((s) => s.args!.group_no === 1)!;
      assert.equal(first.tid, 7, 'the first track of a PASID has tid = PASID');
      assert.equal(first.ts, 0);
      assert.equal(first.dur, 1);
    });
  });

  it('draws degenerate axes and out-of-range bands inside the chart', () => {
    const svg = svgChart({
      title: 'a <b> chart',
      width: 400,
      height: 200,
      x: { kind: 'log', min: 0, max: 0, label: 'x', format: String },
      y: { kind: 'linear', min: 5, max: 5, label: 'y', format: String },
      series: [
        {
          kind: 'line',
          name: 'l',
          points: [
            [0, 5],
            [10, 5],
          ],
        },
      ],
      bands: [{ x0: -100, x1: 1e12, label: 'everything' }],
    });
    assert.ok(svg.includes('a &#60;b&#62; chart'));
    const rect = /<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg);
    assert.ok(rect, 'band drawn');
    assert.ok(Number(rect[1]) >= 64 && Number(rect[1]) + Number(rect[2]) <= 400 - 16 + 0.01, 'band clamped to the plot');
    assert.doesNotMatch(svg, /NaN|Infinity/);
  });

  it('escapes and quotes', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    assert.equal(escapeMarkdown('a|b\r\nc'), 'a\\|b c');
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(' padded'), '" padded"');
    assert.equal(csvField('=1+1'), "'=1+1");
    assert.equal(csvField(-5), '-5');
    assert.equal(csvField(9007199254740993n), '9007199254740993');
    assert.equal(csvField(null), '');
    assert.equal(microseconds(1234567n), '1234.567');
    assert.equal(microseconds(1000n), '1');
    assert.equal(microseconds(1230n), '1.23');
    assert.equal(microseconds(-5n), '-0.005');
    assert.equal(microseconds(9007199254740993n), '9007199254740.993');
  });
});

interface ChromeEvent {
  ph: string;
  name: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  args?: Record<string, unknown>;
}

/** One X per group, integer ids, named threads, no two slices on a thread overlapping, one pid per tid. */
function checkChromeDoc(events: ChromeEvent[], groups: number): void {
  const slices = events.filter((e) => e.ph === 'X');
  assert.equal(slices.length, groups, 'one slice per group');
  const named = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid}:${e.tid}`));
  const procs = new Set(events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.pid));
  const pidOfTid = new Map<number, number>();
  const byThread = new Map<string, [number, number][]>();
  for (const s of slices) {
    assert.ok(Number.isInteger(s.pid) && Number.isInteger(s.tid) && s.tid! > 0, 'integer pid/tid, never the idle tid 0');
    assert.ok(typeof s.ts === 'number' && typeof s.dur === 'number' && s.dur >= 0);
    assert.ok(named.has(`${s.pid}:${s.tid}`), 'thread named');
    assert.ok(procs.has(s.pid), 'process named');
    assert.equal(pidOfTid.get(s.tid!) ?? s.pid, s.pid, 'a tid belongs to one pid');
    pidOfTid.set(s.tid!, s.pid);
    const key = `${s.pid}:${s.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key)!.push([s.ts!, s.ts! + s.dur!]);
  }
  for (const [key, spans] of byThread) {
    spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i - 1]![1] <= spans[i]![0] + 1e-9, `slices overlap on ${key}`);
  }
}
