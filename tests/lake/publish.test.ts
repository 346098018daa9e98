// Publishing into the lake, read back through the lake's views and through DuckDB's plain
// read_parquet: the lake's rows equal the database's, the mergeable histogram puts every
// latency in the bucket an independent binary search over the edges gives, and fleet
// percentiles land in the bucket of the exact nearest-rank value.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LakeVersionError } from '../../lib/core/errors.ts';
import { closeDbInstance, openDb, type Db } from '../../lib/db/instance.ts';
import { publishTrace } from '../../lib/db/lake/publish.ts';
import { bucketOf, histBuckets } from '../../lib/lake/histogram.ts';
import { kernelEra, lakeTraceId, LAKE_VERSION_KEY } from '../../lib/lake/layout.ts';
import { fleetHosts } from '../../lib/queries/fleet.ts';
import { tempDir } from '../helpers/temp-db.ts';
import { databaseWith, listing, withLake } from './support.ts';

const SMALL = 'intel-v6.9-trace.txt';
const LARGE = 'large-intel-v6.9.trace.gz';

let dbPath: string;
let small: number;
let large: number;
let db: Db;
let lake: string;

before(async () => {
  const made = await databaseWith([SMALL, LARGE, 'sim-small.csv']);
  dbPath = made.dbPath;
  [small, large] = made.traceIds as [number, number];
  db = await openDb(dbPath);
  lake = tempDir('pritrace-lake-');
  await publishTrace(db, small, { lake, host: 'host-a', kernel: '6.9.0-rc3', date: '2026-11-30' });
  await publishTrace(db, large, { lake, host: 'host-b', kernel: '5.15.0-91-generic', date: '2026-12-01' });
});

after(async () => {
  db.close();
  await closeDbInstance(dbPath);
});

const GROUP_COLUMNS =
  'group_no, iommu, device, pasid, prgi, status, pages, first_ts_ns, last_ts_ns, response_ts_ns, code, latency_ns, span_ns, first_line, last_line, response_line';

describe('publish', () => {
  test('the lake holds exactly the database rows of each trace', async () => {
    for (const [traceId, host] of [
      [small, 'host-a'],
      [large, 'host-b'],
    ] as const) {
      const mine = await db.all(`SELECT ${GROUP_COLUMNS} FROM fault_groups WHERE trace_id = $1 ORDER BY group_no`, [traceId]);
      const events = await db.all('SELECT * EXCLUDE (trace_id) FROM events WHERE trace_id = $1 ORDER BY line', [traceId]);
      const lakeId = lakeTraceId(host, String((await db.all('SELECT file_hash FROM traces WHERE trace_id = $1', [traceId]))[0]!.file_hash));
      await withLake(lake, async (l) => {
        assert.deepEqual(await l.all(`SELECT ${GROUP_COLUMNS} FROM fault_groups WHERE trace_id = $1 ORDER BY group_no`, [lakeId]), mine);
        assert.deepEqual(await l.all('SELECT * EXCLUDE (trace_id) FROM events WHERE trace_id = $1 ORDER BY line', [lakeId]), events);
      });
      assert.ok(mine.length > 0);
    }
  });

  test('the trace row carries host, date, kernel and era; every file carries the schema version', async () => {
    const rows = await withLake(lake, (l) => l.all("SELECT host, strftime(date, '%Y-%m-%d') AS date, kernel, kernel_era, name FROM traces ORDER BY host"));
    assert.deepEqual(rows, [
      { host: 'host-a', date: '2026-11-30', kernel: '6.9.0-rc3', kernel_era: 'v6.9', name: SMALL },
      { host: 'host-b', date: '2026-12-01', kernel: '5.15.0-91-generic', kernel_era: 'v5.14', name: LARGE },
    ]);
    const files = listing(lake).filter((f) => f.includes('.parquet'));
    const meta = await db.all<{ file_name: string; value: string }>(
      `SELECT file_name, decode(value) AS value FROM parquet_kv_metadata($1) WHERE decode(key) = '${LAKE_VERSION_KEY}'`,
      [path.join(lake, 'v1', '*', '*', '*', '*', '*.parquet')],
    );
    assert.equal(meta.length, files.length);
    assert.ok(meta.every((m) => m.value === '1.0'));
  });

  test('histogram: every answered group once, in the bucket a binary search over the edges gives', async () => {
    const lat = (await db.all<{ l: bigint }>("SELECT latency_ns AS l FROM fault_groups WHERE trace_id = $1 AND status = 'answered'", [large])).map((r) =>
      Number(r.l),
    );
    const expected = new Map<number, number>();
    for (const l of lat) expected.set(bucketOf(l), (expected.get(bucketOf(l)) ?? 0) + 1);
    const got = await withLake(lake, (l) =>
      l.all<{ bucket: number; n: bigint }>("SELECT bucket, sum(groups) AS n FROM latency_hist WHERE host = 'host-b' GROUP BY bucket"),
    );
    assert.deepEqual(new Map(got.map((r) => [r.bucket, Number(r.n)])), expected);
  });

  test('fleet percentiles fall in the bucket of the exact nearest-rank value', async () => {
    const hosts = await withLake(lake, fleetHosts);
    assert.deepEqual(
      hosts.map((h) => h.host),
      ['host-b', 'host-a'],
      'slowest p99 first',
    );
    const buckets = histBuckets();
    for (const [traceId, host] of [
      [small, 'host-a'],
      [large, 'host-b'],
    ] as const) {
      const lat = (
        await db.all<{ l: bigint }>("SELECT latency_ns AS l FROM fault_groups WHERE trace_id = $1 AND status = 'answered' ORDER BY 1", [traceId])
      ).map((r) => Number(r.l));
      const rank = (p: number) => lat[Math.ceil(p * lat.length) - 1]!;
      const h = hosts.find((x) => x.host === host)!;
      assert.equal(h.groups, lat.length);
      assert.equal(h.traces, 1);
      for (const [p, got] of [
        [0.5, h.p50],
        [0.99, h.p99],
      ] as const) {
        const b = buckets[bucketOf(rank(p))]!;
        assert.equal(got, b.mid_ns, `${host} p${p * 100}: exact ${rank(p)} lies in [${b.lo_ns}, ${b.hi_ns})`);
      }
    }
  });

  test('publishing again replaces the trace: same lake id, no duplicate rows', async () => {
    const again = await publishTrace(db, small, { lake, host: 'host-a', kernel: '6.9.0-rc3', date: '2026-11-30' });
    assert.equal(again.replaced, true);
    const n = await withLake(lake, (l) =>
      l.all<{ t: bigint; g: bigint }>('SELECT (SELECT count(*) FROM traces) AS t, (SELECT count(*) FROM fault_groups WHERE trace_id = $1) AS g', [again.trace]),
    );
    assert.deepEqual(n, [{ t: 2n, g: BigInt(again.rows.fault_groups) }]);
    assert.equal(listing(path.join(lake, 'v1', '.staging')).length, 0);
  });

  test('an open lake sees a republished file anew (its cached Parquet footer is not reused)', async () => {
    await withLake(lake, async (l) => {
      const kernelOf = async () => (await l.all<{ kernel: string }>("SELECT kernel FROM traces WHERE host = 'host-a'"))[0]!.kernel;
      assert.equal(await kernelOf(), '6.9.0-rc3');
      await publishTrace(db, small, { lake, host: 'host-a', kernel: '6.10.1', date: '2026-11-30' });
      assert.equal(await kernelOf(), '6.10.1');
      await publishTrace(db, small, { lake, host: 'host-a', kernel: '6.9.0-rc3', date: '2026-11-30' });
      assert.equal(await kernelOf(), '6.9.0-rc3');
    });
  });

  test('a publish that fails part-way undoes itself: the lake is as it was', async () => {
    const before = listing(lake);
    for (const at of ['write:replay_runs', 'rename:fault_groups', 'rename:traces']) {
      await assert.rejects(
        publishTrace(db, large, {
          lake,
          host: 'host-c',
          onStep: (s) => {
            if (s === at) throw new Error(`disk full at ${s}`);
          },
        }),
        new RegExp(`disk full at ${at}`),
      );
      assert.deepEqual(listing(lake), before, at);
    }
  });

  test('a lake dashboard refuses writes with a read-only error', async () => {
    await withLake(lake, async (l) => {
      await assert.rejects(l.run('INSERT INTO annotations (annotation_id) VALUES (1)'), { name: 'ReadOnlyLakeError' });
      await assert.rejects(
        l.transaction(async () => undefined),
        { name: 'ReadOnlyLakeError' },
      );
    });
  });
});

describe('lake versions', () => {
  test('a lake with a newer major schema is refused, for reading and publishing, saying which', async () => {
    const newer = tempDir('pritrace-lake-');
    fs.mkdirSync(path.join(newer, 'v2', 'traces'), { recursive: true });
    const msg = /lake schema v2 is newer than this PRI Trace Lab reads \(v1\)/;
    await assert.rejects(
      withLake(newer, async () => undefined),
      (e) => e instanceof LakeVersionError && msg.test(e.message),
    );
    await assert.rejects(publishTrace(db, small, { lake: newer }), (e) => e instanceof LakeVersionError && msg.test(e.message));
  });

  test('an empty lake reads as empty tables', async () => {
    const empty = tempDir('pritrace-lake-');
    await withLake(empty, async (l) => {
      assert.deepEqual(await l.all('SELECT count(*) AS n FROM traces'), [{ n: 0n }]);
      assert.deepEqual(await l.all('SELECT count(*) AS n FROM fault_groups'), [{ n: 0n }]);
    });
  });
});

test('kernel eras by version', () => {
  assert.deepEqual(
    ['5.10.0', '5.14.21', '5.17.1', '6.0.19', '6.1.55', '6.6.30-lts', '6.8.0', '6.9.0', '6.10.2', '6.11.0', '6.12.1', 'unknown'].map(kernelEra),
    ['pre-v5.14', 'v5.14', 'v5.17', 'v5.17', 'v6.1', 'v6.6', 'v6.6', 'v6.9', 'v6.9', 'v6.11', 'v6.11', null],
  );
});
