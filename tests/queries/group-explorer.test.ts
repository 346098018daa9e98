// The fault-group explorer against real ingests: totals and filters equal plain SQL counts,
// every histogram bucket's exact bounds list exactly that bucket's groups, pages tile the
// whole result without repeats, sorting follows the column, and a group's trace lines are
// the file's own lines by number (checked against the file's text, and one group by hand).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { latencyHistogram } from '../../lib/queries/charts/latency-histogram.ts';
import { getGroup, groupLines, listGroups, type GroupSort } from '../../lib/queries/group-explorer.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { TRACES_DIR, tempFile } from '../helpers/temp-db.ts';
import { useSamples } from './helpers.ts';

const INTEL = 'intel-v6.9-trace.txt';
const SIM = 'sim-small.csv';

describe('fault-group explorer', () => {
  const fx = useSamples([INTEL, SIM]);

  it('unfiltered: every group of the trace once, pages tiling the result', async () => {
    for (const s of [INTEL, SIM]) {
      const id = fx.ids[s]!;
      const [n] = await fx.db.all<{ n: bigint }>('SELECT count(*) AS n FROM fault_groups WHERE trace_id = $1', [id]);
      const all = await listGroups(fx.db, id, {}, { pageSize: 500 });
      assert.equal(all.total, Number(n!.n), s);
      const seen: number[] = [];
      for (let page = 1; page <= Math.ceil(all.total / 7); page++) {
        const p = await listGroups(fx.db, id, {}, { page, pageSize: 7, sort: 'latency', dir: 'desc' });
        assert.equal(p.total, all.total);
        seen.push(...p.rows.map((r) => r.group_no));
      }
      assert.equal(seen.length, all.total, `${s}: pages cover every group`);
      assert.equal(new Set(seen).size, all.total, `${s}: no group on two pages`);
    }
  });

  it('sorts by latency, slowest first, unanswered groups last', async () => {
    const id = fx.ids[SIM]!;
    const rows = await fx.db.all<{ l: bigint }>("SELECT latency_ns AS l FROM fault_groups WHERE trace_id = $1 AND status = 'answered'", [id]);
    const expected = rows.map((r) => Number(r.l)).sort((a, b) => b - a);
    const p = await listGroups(fx.db, id, {}, { sort: 'latency', dir: 'desc', pageSize: 500 });
    assert.deepEqual(
      p.rows.slice(0, expected.length).map((r) => r.latency_ns),
      expected,
    );
    assert.ok(p.rows.slice(expected.length).every((r) => r.latency_ns === null));
  });

  it('each histogram bucket links to exactly its groups', async () => {
    for (const s of [INTEL, SIM]) {
      const id = fx.ids[s]!;
      const h = await latencyHistogram(fx.db, id, {}, 10);
      for (const b of h.bins.filter((x) => x.count > 0)) {
        const p = await listGroups(fx.db, id, { latency_min_ns: BigInt(b.min_ns!), latency_max_ns: BigInt(b.max_ns!) }, { pageSize: 500 });
        assert.equal(p.total, b.count, `${s} bucket ${b.lower_ns}`);
        assert.ok(p.rows.every((r) => r.status === 'answered' && r.latency_ns! >= b.min_ns! && r.latency_ns! <= b.max_ns!));
      }
    }
  });

  it('filters by device, PASID, code and status as plain SQL counts them', async () => {
    const id = fx.ids[INTEL]!;
    const count = async (where: string, params: (string | number)[]) =>
      Number((await fx.db.all<{ n: bigint }>(`SELECT count(*) AS n FROM fault_groups WHERE trace_id = $1 ${where}`, [id, ...params]))[0]!.n);
    const cases = [
      [{ device: '0000:00:0a.0' }, 'AND device = $2', ['0000:00:0a.0']],
      [{ pasid: 2 }, 'AND pasid = $2', [2]],
      [{ code: 0 }, 'AND code = $2', [0]],
      [{ status: 'unanswered' as const }, 'AND status = $2', ['unanswered']],
      [{ device: '0000:00:0a.0', pasid: 2, status: 'answered' as const }, "AND device = $2 AND pasid = $3 AND status = 'answered'", ['0000:00:0a.0', 2]],
    ] as const;
    for (const [filter, where, params] of cases) {
      const p = await listGroups(fx.db, id, filter, { pageSize: 500 });
      const n = await count(where, [...params]);
      assert.ok(n > 0, `case ${where} selects something`);
      assert.equal(p.total, n, where);
      assert.equal(p.rows.length, n);
    }
  });

  it('refuses a sort column outside the whitelist', async () => {
    await assert.rejects(listGroups(fx.db, fx.ids[INTEL]!, {}, { sort: 'latency_ns; DROP TABLE traces' as GroupSort }), RangeError);
  });

  it("a group's lines: the file's own lines by number, the group's requests and response marked", async () => {
    const id = fx.ids[INTEL]!;
    const file = fs.readFileSync(path.join(TRACES_DIR, INTEL), 'utf8').split('\n');
    // By hand from the file: lines 15 and 16 are prq_report seq# 0 and 1 of dmar0/0000:00:0a.0
    // PASID 0x2 index 0x1 (16 has the last-page flag, at 5823.100004), line 17 the
    // page_grp_resp answering it at 5823.100009: 5 µs.
    const first = (await listGroups(fx.db, id, { device: '0000:00:0a.0', pasid: 2 }, { sort: 'first' })).rows[0]!;
    assert.deepEqual([first.first_line, first.last_line, first.response_line, first.pages, first.latency_ns, first.prgi], [15, 16, 17, 2, 5000, 1]);
    const g = await getGroup(fx.db, id, first.group_no);
    assert.deepEqual(g, first);
    const shown = await groupLines(fx.db, id, g, 4);
    assert.deepEqual(shown.windows, [[11, 21]]);
    const roles = Object.fromEntries(shown.lines.map((l) => [l.line, l.role]));
    assert.equal(roles[15], 'request');
    assert.equal(roles[16], 'last_request');
    assert.equal(roles[17], 'response');
    assert.equal(roles[14], 'context');
    // Header comment lines 11 and 12 are not events; every other line in the window is.
    assert.deepEqual(
      shown.lines.map((l) => l.line),
      [13, 14, 15, 16, 17, 18, 19, 20, 21],
    );
    for (const l of shown.lines) {
      const text = file[l.line - 1]!;
      assert.ok(text.includes(`${l.event}:`), `line ${l.line} is a ${l.event}: ${text}`);
      const ts = BigInt(l.ts_ns!);
      const us = `${ts / 1_000_000_000n}.${String((ts % 1_000_000_000n) / 1000n).padStart(6, '0')}:`;
      assert.ok(text.includes(us), `line ${l.line} at ${us}: ${text}`);
    }
  });

  it('pages far from the anchors get their own one-line windows; an incomplete group runs to the end', async () => {
    // Physical line n of this CSV is the row written n-th (the header is line 1). Group A
    // (PASID 1, index 1): requests on lines 2, 12 and 25 (last), response on line 30. Group B
    // (PASID 2, index 3) has requests on lines 40 and 45 and no last page. Every other row
    // is a request of PASID 9 with its own index, complete and answered at once.
    const rows: string[] = ['ts_ns,kind,device,pasid,prgi,last,addr,perm,code'];
    const at = (line: number, row: string) => (rows[line - 1] = `${line * 1000},${row}`);
    for (let line = 2; line <= 46; line++) at(line, `page_request,0000:00:01.0,9,${line},1,0x1000,r,`);
    at(2, 'page_request,0000:00:01.0,1,1,0,0x2000,r,');
    at(12, 'page_request,0000:00:01.0,1,1,0,0x3000,r,');
    at(25, 'page_request,0000:00:01.0,1,1,1,0x4000,rw,');
    at(30, 'page_response,0000:00:01.0,1,1,1,,,0');
    at(40, 'page_request,0000:00:01.0,2,3,0,0x5000,r,');
    at(45, 'page_request,0000:00:01.0,2,3,0,0x6000,w,');
    const { trace_id: id } = await ingestFile(fx.db, { file: tempFile('spread.csv', `${rows.join('\n')}\n`) });
    const a = (await listGroups(fx.db, id, { pasid: 1 })).rows[0]!;
    assert.deepEqual([a.first_line, a.last_line, a.response_line, a.pages, a.status], [2, 25, 30, 3, 'answered']);
    const la = await groupLines(fx.db, id, a, 4);
    assert.deepEqual(la.windows, [
      [1, 6],
      [12, 12],
      [21, 34],
    ]);
    assert.deepEqual(
      la.lines.filter((l) => l.role !== 'context').map((l) => [l.line, l.role]),
      [
        [2, 'request'],
        [12, 'request'],
        [25, 'last_request'],
        [30, 'response'],
      ],
    );
    const b = (await listGroups(fx.db, id, { pasid: 2 })).rows[0]!;
    assert.deepEqual([b.first_line, b.last_line, b.pages, b.status], [40, null, 2, 'incomplete']);
    const lb = await groupLines(fx.db, id, b, 2);
    assert.deepEqual(lb.windows, [
      [38, 42],
      [45, 45],
    ]);
    assert.deepEqual(
      lb.lines.filter((l) => l.role !== 'context').map((l) => l.line),
      [40, 45],
    );
  });

  it('an unknown group is not found', async () => {
    await assert.rejects(getGroup(fx.db, fx.ids[INTEL]!, 99999), /no fault group/);
  });
});
