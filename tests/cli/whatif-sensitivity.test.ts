// `pritrace replay --seeds`, `whatif` and `sensitivity` as a user runs them (issue 12): the
// JSON fields are a contract — latency_ns.p50.value/lo/hi, difference, significant,
// stage_breakdown, sensitivity rows with param, half, double.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { SensitivityResult } from '../../lib/replay/sensitivity.ts';
import type { WhatifResult } from '../../lib/replay/whatif.ts';
import { tempDir } from '../helpers/temp-db.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'pritrace');
const STAGES = ['credit_wait', 'overflow_retry', 'prq_drain', 'workqueue', 'service', 'response', 'qi'];

function cli(args: string[], db: string) {
  const r = spawnSync(BIN, [...args, '--db', db], { encoding: 'utf8', env: { ...process.env, PRITRACE_DB: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Iv = { value: number; lo: number; hi: number };

function assertInterval(iv: Iv, what: string): void {
  assert.deepEqual(Object.keys(iv), ['value', 'lo', 'hi'], what);
  assert.ok(iv.lo <= iv.value && iv.value <= iv.hi, `${what}: ${JSON.stringify(iv)}`);
}

describe('pritrace replay --seeds and whatif', () => {
  const dir = tempDir();
  const db = path.join(dir, 'whatif.duckdb');
  const csv = path.join(dir, 'sim.csv');

  it('setup: a simulated 1 500-group trace', () => {
    const sim = cli(['simulate', '--groups', '1500', '--iommus', '2', '--seed', '3', '--out', csv], db);
    assert.equal(sim.code, 0, sim.stderr);
    const ing = cli(['ingest', csv, '--name', 'sim'], db);
    assert.equal(ing.code, 0, ing.stderr);
  });

  it('replay --seeds 4 --json: every percentile and calibration error as {value, lo, hi} over seeds S … S+3', () => {
    const r = cli(['replay', 'sim', '--model', 'domain-wide', '--seed', '5', '--seeds', '4', '--json'], db);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(doc.seeds, [5, 6, 7, 8]);
    for (const m of ['latency_ns', 'device_latency_ns']) {
      const pct = doc[m] as Record<string, Iv>;
      assert.deepEqual(Object.keys(pct), ['p50', 'p90', 'p99', 'max']);
      for (const [p, iv] of Object.entries(pct)) assertInterval(iv, `${m}.${p}`);
    }
    const cal = doc.calibration as { error_p50: Iv; error_p99: Iv };
    assertInterval(cal.error_p50, 'calibration.error_p50');
    assertInterval(cal.error_p99, 'calibration.error_p99');
    // A simulator-format trace: the calibration says plainly that it may be circular.
    const c = doc.calibration as { circular: boolean; note: string };
    assert.equal(c.circular, true);
    assert.match(c.note, /simulator's format \(sim-csv\).*circular/);
    // The one real histogram beside this run's shares of the same buckets.
    const svm = doc.svm_prq as { real_percent: number[]; replayed_percent: number[] };
    assert.deepEqual(svm.real_percent, [97.1, 1.4, 1.5]);
    assert.equal(svm.replayed_percent.length, 3);
    assert.ok(svm.replayed_percent.reduce((a, b) => a + b, 0) <= 100.0001);
    // The saved seed's own figure is kept beside the intervals.
    assert.equal(typeof (doc.seed_latency_ns as Record<string, number>).p50, 'number');
  });

  it('replay --holdout 0.5 --json: calibration.holdout names the split and gives p50/p90/p99 errors over the seeds', () => {
    const r = cli(['replay', 'sim', '--model', 'domain-wide', '--seeds', '3', '--holdout', '0.5', '--json'], db);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { overrides: string[]; answered: number; calibration: { holdout: Record<string, unknown> } };
    assert.deepEqual(doc.overrides, ['serviceDist=empirical']);
    const h = doc.calibration.holdout as {
      fraction: number;
      fit_groups: number;
      check_groups: number;
      split_ns: number;
      recorded: Record<string, number>;
    } & Record<string, Iv>;
    assert.deepEqual(Object.keys(h), [
      'fraction',
      'fit_groups',
      'check_groups',
      'replayed_check_groups',
      'split_ns',
      'recorded',
      'error_p50',
      'error_p90',
      'error_p99',
    ]);
    assert.equal(h.fraction, 0.5);
    // 1 500 groups halved: 750 fitted unless groups tie at the cut (those are checked).
    assert.ok(h.fit_groups <= 750 && h.fit_groups > 700, `fit ${h.fit_groups}`);
    assert.ok(h.split_ns > 0);
    assert.deepEqual(Object.keys(h.recorded), ['p50', 'p90', 'p99']);
    for (const p of ['p50', 'p90', 'p99']) assertInterval(h[`error_${p}`]!, `holdout.error_${p}`);
    for (const bad of ['0', '1', '1.5', 'half', '-0.2']) {
      const u = cli(['replay', 'sim', '--model', 'domain-wide', `--holdout=${bad}`], db);
      assert.equal(u.code, 2, bad);
      assert.match(u.stderr, /--holdout must be a fraction strictly between 0 and 1/);
    }
  });

  it('replay --seeds outside 1 … 64 is a usage error', () => {
    for (const bad of ['0', '65', 'x']) {
      const r = cli(['replay', 'sim', '--model', 'domain-wide', '--seeds', bad], db);
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /--seeds must be an integer in \[1, 64\]/);
    }
  });

  it('whatif --json: sides, difference per percentile with interval and significance, stage breakdown, verdict', () => {
    const r = cli(['whatif', 'sim', '--a', 'per-device@v5.14', '--b', 'v6.9', '--seeds', '4', '--json'], db);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as WhatifResult;
    assert.equal(doc.a.model, 'per-device');
    assert.equal(doc.a.preset, 'v5.14');
    assert.equal(doc.b.model, 'domain-wide', 'an era alone takes its own model');
    assert.equal(doc.b.preset, 'v6.9');
    assertInterval(doc.a.latency_ns.p50!, 'a.latency_ns.p50');
    for (const m of ['latency_ns', 'device_latency_ns'] as const) {
      for (const p of ['p50', 'p90', 'p99', 'max'] as const) {
        const d = doc.difference[m][p]!;
        assert.ok(d.lo <= d.value && d.value <= d.hi, `${m}.${p}`);
        assert.equal(typeof d.significant, 'boolean');
        // B − A of the two sides' means.
        assert.ok(Math.abs(d.value - (doc.b[m][p]!.value - doc.a[m][p]!.value)) < 0.2, `${m}.${p}`);
      }
    }
    assert.equal(doc.significant, doc.difference.device_latency_ns.p99!.significant);
    assert.deepEqual(Object.keys(doc.stage_breakdown.a), STAGES);
    assert.deepEqual(Object.keys(doc.stage_breakdown.b), STAGES);
    assert.match(doc.verdict, /^domain-wide v6\.9 vs per-device v5\.14: device-side p99 [+−]/);
    // Both runs are saved, so the replay page can compare them.
    const list = cli(['replay', 'sim', '--model', 'per-device', '--preset', 'v5.14', '--seeds', '1', '--json'], db);
    assert.equal((JSON.parse(list.stdout) as { run_id: number }).run_id, doc.b.run_id! + 1);
  });

  it('sensitivity --json: one row per numeric parameter with param, half, double, largest swing first', () => {
    const r = cli(['sensitivity', 'sim', '--preset', 'v6.1', '--seeds', '2', '--json'], db);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as SensitivityResult;
    assert.equal(doc.model, 'per-device', "the preset's model");
    assert.equal(doc.preset, 'v6.1');
    assert.deepEqual(doc.seeds, [1, 2]);
    assertInterval(doc.base.p99!, 'base.p99');
    const workers = doc.rows.find((row) => row.param === 'workers')!;
    assert.equal(workers.base, 8);
    assert.equal(workers.half!.value, 4);
    assert.equal(workers.double!.value, 16);
    for (const row of doc.rows) {
      assert.ok('param' in row && 'half' in row && 'double' in row && typeof row.estimate_dominant === 'boolean');
      assert.equal(row.swing, Math.max(Math.abs(row.half?.p99_change ?? 0), Math.abs(row.double?.p99_change ?? 0)));
    }
    assert.ok(!doc.rows.some((row) => row.param === 'nestedFallback'), 'a domain-wide-only flag is not a per-device parameter');
  });

  it('whatif rejects an unknown era or model with exit 2', () => {
    assert.equal(cli(['whatif', 'sim', '--a', 'per-device@v9.9'], db).code, 2);
    assert.equal(cli(['whatif', 'sim', '--b', 'flat@v6.9'], db).code, 2);
  });
});
