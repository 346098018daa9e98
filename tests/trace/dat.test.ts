// Every trace-cmd .dat sample in traces/ goes through the ingest users get and must give
// exactly the events and fault groups that ingesting `trace-cmd report -i FILE`'s text gives
// (Debian's trace-cmd 3.1.6 is the oracle; for the zlib file, which it cannot read, the
// report of the uncompressed v7 file it was recompressed from), plus the figures worked out
// by hand in tests/fixtures/dat/scenarios.ts.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Db } from '../../lib/db/instance.ts';
import { ingestFile, type IngestResult } from '../../lib/services/ingest.ts';
import { BASE_FIGURES } from '../fixtures/dat/scenarios.ts';
import { tempFile, TRACES_DIR, withTempDb } from '../helpers/temp-db.ts';

const EVENT_COLS = 'ts_ns, cpu, task, pid, kind, event, iommu, device, rid, pasid, prgi, last, addr, perm, code, seq, detail';
const GROUP_COLS = 'group_no, iommu, device, pasid, prgi, status, pages, first_ts_ns, last_ts_ns, response_ts_ns, code, latency_ns, span_ns';

interface Case {
  file: string;
  /** File trace-cmd reports for the oracle text (default: the file itself). */
  oracle?: string;
  lostMarkers: number;
  lostEvents: number;
  firstTsNs: bigint;
}

const BASE_TS = 5823_123456_000n;
const CASES: Case[] = [
  { file: 'intel-v6.dat', lostMarkers: 0, lostEvents: 0, firstTsNs: BASE_TS },
  { file: 'intel-v7-none.dat', lostMarkers: 0, lostEvents: 0, firstTsNs: BASE_TS },
  { file: 'intel-v7-zstd.dat', lostMarkers: 0, lostEvents: 0, firstTsNs: BASE_TS },
  { file: 'intel-v7-zlib.dat', oracle: 'intel-v7-none.dat', lostMarkers: 0, lostEvents: 0, firstTsNs: BASE_TS },
  // Big-endian, 32-bit kernel longs, raw TSC at half the ns value: TSC2NSEC (×2) then OFFSET +1 s.
  { file: 'intel-be32-tsc-v6.dat', lostMarkers: 0, lostEvents: 0, firstTsNs: BASE_TS + 1_000_000_000n },
  { file: 'intel-lost-v6.dat', lostMarkers: 2, lostEvents: 22, firstTsNs: BASE_TS },
  { file: 'intel-time-extend-v6.dat', lostMarkers: 0, lostEvents: 0, firstTsNs: BASE_TS },
  // trace-cmd report starts the instance's lines with `vendor: `; neither form keeps it in the task.
  { file: 'intel-instances-v6.dat', lostMarkers: 0, lostEvents: 0, firstTsNs: BASE_TS },
];

const rows = (db: Db, sql: string, id: number) => db.all(sql, [id]);

function figures(r: IngestResult) {
  return {
    page_requests: r.page_requests,
    page_responses: r.page_responses,
    unrecoverable_faults: r.unrecoverable_faults,
    context_events: r.context_events,
    other_events: r.other_events,
    groups: r.groups,
  };
}

describe('trace-cmd .dat ingest matches trace-cmd report', () => {
  for (const c of CASES) {
    it(c.file, async () => {
      await withTempDb(async (db) => {
        const dat = await ingestFile(db, { file: path.join(TRACES_DIR, c.file) });
        assert.equal(dat.format, 'trace-dat');
        assert.equal(dat.bad_lines, 0);
        const report = execFileSync('trace-cmd', ['report', '-i', path.join(TRACES_DIR, c.oracle ?? c.file)], { maxBuffer: 1 << 26 });
        const text = await ingestFile(db, { file: tempFile(`${c.file}.txt`, report) });
        assert.equal(text.format, 'trace-cmd');

        const datEvents = await rows(db, `SELECT ${EVENT_COLS} FROM events WHERE trace_id = $1 ORDER BY line`, dat.trace_id);
        const textEvents = await rows(db, `SELECT ${EVENT_COLS} FROM events WHERE trace_id = $1 ORDER BY line`, text.trace_id);
        assert.deepEqual(datEvents, textEvents);
        if (c.file === 'intel-instances-v6.dat') {
          // The report's five `vendor: ` lines: the comm (with its space) is the task, not the instance.
          assert.deepEqual(
            textEvents.filter((e) => e.pid === 3001 || e.pid === 154).map((e) => e.task),
            ['my worker', 'my worker', 'irq/26-AMD-Vi', 'my worker', 'my worker'],
          );
        }
        assert.equal(datEvents.length, 18 + c.lostMarkers);
        assert.deepEqual(
          await rows(db, `SELECT ${GROUP_COLS} FROM fault_groups WHERE trace_id = $1 ORDER BY group_no`, dat.trace_id),
          await rows(db, `SELECT ${GROUP_COLS} FROM fault_groups WHERE trace_id = $1 ORDER BY group_no`, text.trace_id),
        );

        assert.deepEqual(figures(dat), BASE_FIGURES);
        assert.equal(dat.lost_markers, c.lostMarkers);
        assert.equal(dat.lost_events, c.lostEvents);
        const [first] = await rows(db, 'SELECT min(ts_ns) AS t FROM events WHERE trace_id = $1', dat.trace_id);
        assert.equal(first!.t, c.firstTsNs);
      });
    });
  }

  it('decodes the first page request and the Failure response from the descriptor words', async () => {
    await withTempDb(async (db) => {
      const r = await ingestFile(db, { file: path.join(TRACES_DIR, 'intel-v7-zstd.dat') });
      const [req] = await db.all(
        `SELECT rid, pasid, prgi, last, addr, perm, seq, task, pid FROM events WHERE trace_id = $1 AND kind = 'page_request' ORDER BY line LIMIT 1`,
        [r.trace_id],
      );
      // dw0 = 2 << 32 | 0x50 << 16 | 1 << 8 | 1; dw1 = 0x559ef6f97 << 12 | 1 << 3 | r.
      assert.deepEqual(req, { rid: 0x50, pasid: 2, prgi: 1, last: false, addr: 0x559ef6f97n * 4096n, perm: 'r', seq: 0n, task: 'irq/56-dmar0-pr', pid: 1042 });
      const [fail] = await db.all(`SELECT device, code, latency_ns FROM fault_groups WHERE trace_id = $1 AND code = 2`, [r.trace_id]);
      // Request at +40 µs, response at +52 µs; the response's device comes from the RID's requests.
      assert.deepEqual(fail, { device: '0000:00:0b.0', code: 2, latency_ns: 12_000n });
    });
  });
});
