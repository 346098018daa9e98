// Every sample in traces/ goes through the same ingest path users get and must produce the
// figures worked out by hand in tests/fixtures/expected.ts: counts, groups, latency
// percentiles, devices and PASIDs, and the first decoded request and response.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Db } from '../../lib/db/instance.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { traceStats } from '../../lib/queries/trace-stats.ts';
import { expected, type DecodedEvent } from '../fixtures/expected.ts';
import { TRACES_DIR, withTempDb } from '../helpers/temp-db.ts';

const ns = (v: number | string | null) => (v === null ? null : Number(v));

async function firstEvent(db: Db, traceId: number, kind: string): Promise<DecodedEvent | null> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT line, ts_ns, cpu, task, pid, iommu, device, rid, pasid, prgi, last, addr, perm, code
     FROM events WHERE trace_id = $1 AND kind = $2 ORDER BY line LIMIT 1`,
    [traceId, kind],
  );
  const r = rows[0];
  if (!r) return null;
  const numOrNull = (v: unknown) => (v === null ? null : Number(v));
  return {
    line: Number(r.line),
    ts_ns: String(r.ts_ns),
    cpu: numOrNull(r.cpu),
    task: r.task as string | null,
    pid: numOrNull(r.pid),
    iommu: r.iommu as string | null,
    device: r.device as string | null,
    rid: numOrNull(r.rid),
    pasid: numOrNull(r.pasid),
    prgi: numOrNull(r.prgi),
    last: r.last as boolean | null,
    addr: r.addr === null ? null : String(r.addr),
    perm: r.perm as string | null,
    code: numOrNull(r.code) as DecodedEvent['code'],
  };
}

describe('sample traces decode and pair as worked out by hand', () => {
  for (const [file, want] of Object.entries(expected)) {
    it(file, async () => {
      await withTempDb(async (db) => {
        const res = await ingestFile(db, { file: path.join(TRACES_DIR, file) });
        const stats = await traceStats(db, res.trace_id);
        assert.deepEqual(
          {
            page_requests: stats.events.page_requests,
            page_responses: stats.events.page_responses,
            unrecoverable_faults: stats.events.unrecoverable_faults,
            context: stats.events.context,
            other: stats.events.other,
            lost_markers: stats.events.lost_markers,
          },
          want.events,
        );
        assert.deepEqual(stats.groups, want.groups);
        assert.deepEqual(stats.latency_ns, {
          p50: ns(want.latency_ns.p50),
          p90: ns(want.latency_ns.p90),
          p99: ns(want.latency_ns.p99),
          p999: ns(want.latency_ns.p999),
          max: ns(want.latency_ns.max),
          mean: want.latency_ns.mean,
        });
        assert.equal(stats.events.bad_lines, want.bad_lines);
        assert.equal(stats.events.lost_events, want.lost_events);
        assert.deepEqual(stats.codes, { success: want.codes[0], invalid: want.codes[1], failure: want.codes[2] });
        const devices = await db.all<{ device: string }>("SELECT DISTINCT device FROM events WHERE trace_id = $1 AND kind = 'page_request' ORDER BY device", [
          res.trace_id,
        ]);
        assert.deepEqual(
          devices.map((d) => d.device),
          want.devices,
        );
        const pasids = await db.all<{ pasid: number }>("SELECT DISTINCT pasid FROM events WHERE trace_id = $1 AND kind = 'page_request' ORDER BY pasid", [
          res.trace_id,
        ]);
        assert.deepEqual(
          pasids.map((p) => p.pasid),
          want.pasids,
        );
        assert.equal(stats.devices, want.devices.length);
        assert.equal(stats.pasids, want.pasids.length);
        assert.deepEqual(await firstEvent(db, res.trace_id, 'page_request'), want.firstRequest);
        assert.deepEqual(await firstEvent(db, res.trace_id, 'page_response'), want.firstResponse);
      });
    });
  }
});
