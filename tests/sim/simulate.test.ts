import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runReplay } from '../../lib/replay/engine.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import { replayInputFromRequests, type RequestRow } from '../../lib/replay/types.ts';
import {
  ftraceTimestamp,
  pageGroupResponseQw0,
  pageGroupResponseQw1,
  SIM_CSV_HEADER,
  simulate,
  writeIntelFtrace,
  writeSimCsv,
  writeSimJsonl,
  type SimEvents,
} from '../../lib/sim/index.ts';
import { parseSimCsv } from '../../lib/trace/formats/sim-csv.ts';
import { parseSimJsonl } from '../../lib/trace/formats/sim-jsonl.ts';

function text(write: (ev: SimEvents, emit: (c: string) => void) => void, ev: SimEvents): string {
  let s = '';
  write(ev, (c) => (s += c));
  return s;
}

async function* once(s: string): AsyncGenerator<string> {
  yield s;
}

async function* lines(s: string): AsyncGenerator<string> {
  for (const l of s.split('\n')) yield l;
}

const options = { seed: 21, groups: 400, devicesPerIommu: 3, iommus: 2, invalidFraction: 0.05, failureFraction: 0.01 };

describe('simulator CSV', () => {
  const sim = simulate(options);
  const csv = text(writeSimCsv, sim.events);
  const rows = csv.trimEnd().split('\n');

  it('has the exact header and well-formed rows', () => {
    assert.equal(rows[0], SIM_CSV_HEADER);
    assert.equal(SIM_CSV_HEADER, 'ts_ns,kind,device,pasid,prgi,last,addr,perm,code,rid,iommu,cpu');
    const request = /^\d+,page_request,0000:[0-9a-f]{2}:[0-9a-f]{2}\.0,\d+,\d+,[01],0x[0-9a-f]+000,r?w?x?p?,,0x[0-9a-f]+,dmar\d+,\d+$/;
    const response = /^\d+,page_response,0000:[0-9a-f]{2}:[0-9a-f]{2}\.0,\d+,\d+,,,,[012],0x[0-9a-f]+,dmar\d+,\d+$/;
    for (const r of rows.slice(1)) assert.ok(request.test(r) || response.test(r), r);
    assert.equal(rows.length - 1, sim.events.count);
    assert.ok(
      rows.some((r) => r.includes(',page_response,') && /,1,0x/.test(r)),
      'some invalid responses',
    );
  });

  it('is in time order and gives every answered group one response', () => {
    const ts = rows.slice(1).map((r) => BigInt(r.split(',')[0]!));
    for (let i = 1; i < ts.length; i++) assert.ok(ts[i]! >= ts[i - 1]!);
    const responses = rows.filter((r) => r.includes(',page_response,')).length;
    assert.equal(responses, sim.replay.answered);
  });

  it('parses back through the trace layer without errors', async () => {
    let events = 0;
    for await (const p of parseSimCsv(once(csv), 'sim.csv')) {
      assert.ok(!('error' in p), 'error' in p ? p.error.message : '');
      if ('event' in p) events++;
    }
    assert.equal(events, sim.events.count);
  });

  it('carries the model latencies: response − last-page request per group', () => {
    const open = new Map<string, bigint[]>();
    const latencies: number[] = [];
    for (const r of rows.slice(1)) {
      const [ts, kind, device, pasid, prgi, last] = r.split(',');
      const key = `${device}/${pasid}/${prgi}`;
      if (kind === 'page_request' && last === '1') open.set(key, [...(open.get(key) ?? []), BigInt(ts!)]);
      if (kind === 'page_response') {
        const q = open.get(key)!;
        latencies.push(Number(BigInt(ts!) - q.shift()!));
      }
    }
    const expected = [...sim.groups.responseNs].map((t, k) => Number(t - sim.groups.lastRequestNs[k]!));
    assert.deepEqual(
      latencies.sort((a, b) => a - b),
      expected.sort((a, b) => a - b),
    );
  });

  it('replays back close to its own latency distribution (calibration)', async () => {
    const big = simulate({ seed: 4, groups: 5000, groupsPerSecond: 100_000 });
    const requests: RequestRow[] = [];
    const recorded: number[] = [];
    for (let k = 0; k < big.groups.count; k++) recorded.push(Number(big.groups.responseNs[k]! - big.groups.lastRequestNs[k]!));
    for await (const p of parseSimCsv(once(text(writeSimCsv, big.events)), 'big.csv')) {
      if (!('event' in p) || p.event.kind !== 'page_request') continue;
      const e = p.event;
      requests.push({ tsNs: e.tsNs!, iommu: e.iommu ?? '', device: e.device!, rid: e.rid!, pasid: e.pasid!, prgi: e.prgi!, last: e.last!, perm: e.perm });
    }
    const { model, params } = presetFor('v6.9');
    const res = runReplay(replayInputFromRequests(requests), model, params, 4, { recordedLatenciesNs: recorded });
    const cal = res.summary.calibration!;
    assert.ok(Math.abs(cal.error_p50!) < 0.1, `p50 error ${cal.error_p50}`);
    assert.ok(Math.abs(cal.error_p99!) < 0.3, `p99 error ${cal.error_p99}`);
  });
});

describe('simulator JSON Lines', () => {
  it('uses the CSV field names, string ts_ns and parses back', async () => {
    const sim = simulate({ ...options, groups: 50 });
    const out = text(writeSimJsonl, sim.events);
    const objects = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(objects.length, sim.events.count);
    for (const o of objects) {
      assert.deepEqual(Object.keys(o), SIM_CSV_HEADER.split(','));
      assert.match(o.ts_ns as string, /^\d+$/);
    }
    let parsed = 0;
    for await (const p of parseSimJsonl(lines(out), 'sim.jsonl')) {
      assert.ok(!('error' in p), 'error' in p ? p.error.message : '');
      if ('event' in p) parsed++;
    }
    assert.equal(parsed, sim.events.count);
  });
});

describe('Intel ftrace text', () => {
  const sim = simulate({ ...options, groups: 200, startNs: 5_823_123_000_000n });
  const out = text(writeIntelFtrace, sim.events);
  const all = out.trimEnd().split('\n');

  it('opens with the trace file header', () => {
    assert.equal(all[0], '# tracer: nop');
    assert.equal(all[2], `# entries-in-buffer/entries-written: ${sim.events.count}/${sim.events.count}   #P:16`);
    assert.equal(all[10], '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION');
    assert.equal(all.filter((l) => !l.startsWith('#')).length, sim.events.count);
  });

  it('prints prq_report and page_grp_resp lines in the v6.9 layout', () => {
    const context = String.raw`^[ -~]{16}-\d+ {0,6} \[\d{3}\] [.dDbX][.NnpLlbB][.ZzHhs][.0-9a-f][.0-9a-f]  ?\s*\d+\.\d{6}: `;
    const prq = new RegExp(
      `${context}prq_report: dmar\\d+/0000:[0-9a-f]{2}:[0-9a-f]{2}\\.0 seq# \\d+: rid=0x[0-9a-f]+ addr=0x[0-9a-f]+ [r-][w-][x-][p-][l-] pasid=0x[0-9a-f]+ index=0x[0-9a-f]+$`,
    );
    const qi = new RegExp(`${context}qi_submit: page_grp_resp dmar\\d+: 0x[0-9a-f]+ 0x[0-9a-f]+ 0x0 0x0$`);
    for (const l of all.filter((x) => !x.startsWith('#'))) assert.ok(prq.test(l) || qi.test(l), l);
    const first = all.find((l) => l.includes('prq_report'))!;
    assert.match(first, /^ irq\/56-dmar0-pr-1042 {4}\[006\] \.\.\.\.\. {2}5823\.\d{6}: prq_report: dmar\d\/\S+ seq# 0: /);
    // Context width: comm 16 + '-' + pid 7 + ' [' … as the kernel's "%16s-%-7d [%03d] ".
    assert.equal(first.indexOf('['), 25);
  });

  it('numbers prq_report per IOMMU from 0 and prints page numbers', () => {
    const seqs = new Map<string, number[]>();
    for (const l of all) {
      const m = /prq_report: (dmar\d+)\/\S+ seq# (\d+):/.exec(l);
      if (m) seqs.set(m[1]!, [...(seqs.get(m[1]!) ?? []), Number(m[2])]);
    }
    for (const list of seqs.values())
      assert.deepEqual(
        list,
        list.map((_, i) => i),
      );
    const csvAddrs = text(writeSimCsv, sim.events)
      .split('\n')
      .filter((l) => l.includes('page_request'))
      .map((l) => BigInt(l.split(',')[6]!) >> 12n);
    const pages = all.filter((l) => l.includes('prq_report')).map((l) => BigInt(/addr=(0x[0-9a-f]+)/.exec(l)![1]!));
    assert.deepEqual(pages, csvAddrs);
  });

  it('encodes responses and times as the kernel does', () => {
    assert.equal(pageGroupResponseQw0(2, 0x50, 0), 0x200500019n);
    assert.equal(pageGroupResponseQw1(1), 0xcn);
    assert.equal(pageGroupResponseQw0(2, 0x50, 1), 0x200501019n);
    assert.equal(pageGroupResponseQw0(2, 0x50, 2), 0x20050f019n);
    assert.equal(ftraceTimestamp(5_823_123_456_499n), ' 5823.123456');
    assert.equal(ftraceTimestamp(5_823_123_456_500n), ' 5823.123457');
    assert.equal(ftraceTimestamp(6_467_444_000n), '    6.467444');
  });
});

describe('simulator determinism', () => {
  it('gives identical output for a seed and different output for another', () => {
    const a = text(writeIntelFtrace, simulate(options).events);
    const b = text(writeIntelFtrace, simulate(options).events);
    const c = text(writeIntelFtrace, simulate({ ...options, seed: 22 }).events);
    assert.equal(a, b);
    assert.notEqual(a, c);
  });
});
