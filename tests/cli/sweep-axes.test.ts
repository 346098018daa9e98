// `pritrace sweep --axis` as a user runs it on the bundled 11-group sample: the outstanding
// and sharing axes with the trace's own position, the cache keyed by axis, the default PASID
// output unchanged in shape, and a located exit-2 error for a bad axis.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { AxisPoint } from '../../lib/replay/sweep-axes.ts';
import { TRACES_DIR, tempDir } from '../helpers/temp-db.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'pritrace');

function cli(args: string[], db: string) {
  const r = spawnSync(BIN, [...args, '--db', db], { encoding: 'utf8', env: { ...process.env, PRITRACE_DB: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface AxisDoc {
  trace_id: number;
  axis: string;
  method: string;
  seeds: number[];
  groups: number;
  trace_position: { pasids: number; outstanding_per_device: number; devices_per_pasid: number };
  cached: boolean;
  points: AxisPoint[];
}

describe('pritrace sweep --axis', () => {
  const db = path.join(tempDir(), 'axes.duckdb');

  it('setup: the bundled sample', () => {
    const r = cli(['ingest', path.join(TRACES_DIR, 'intel-v6.9-trace.txt')], db);
    assert.equal(r.code, 0, r.stderr);
  });

  it('--axis outstanding --json: points per knob with the measured in-flight groups, and the trace position', () => {
    const r = cli(['sweep', '1', '--axis', 'outstanding', '--json'], db);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as AxisDoc;
    assert.equal(doc.axis, 'outstanding');
    assert.equal(doc.cached, false);
    assert.deepEqual(doc.seeds, [1, 2, 3]);
    // The sample's answered groups (traces/README.md; first request → response, µs after
    // 5823.1 s): 0–9, 15–19, 20–31, 50–56, 60–67, 70–86, 90–104, 110–150, 160–200, 210–219.
    // Σ = 9+4+11+6+7+16+14+40+40+9 = 156 µs over the span 0 … 219 µs, over 3 devices (00:0a.0
    // and 00:0b.0 on dmar0, 6a:01.0 on dmar1) = 156 / 219 / 3 groups in flight per device.
    // PASID 2 is on 0a.0 and 6a:01.0, PASID 3 on both too, PASID 5 on 0b.0: (2 + 2 + 1) / 3.
    assert.equal(doc.trace_position.pasids, 3);
    assert.ok(Math.abs(doc.trace_position.outstanding_per_device - 156 / 219 / 3) < 1e-12, String(doc.trace_position.outstanding_per_device));
    assert.ok(Math.abs(doc.trace_position.devices_per_pasid - 5 / 3) < 1e-12);
    // dmar0 has 2 devices: 1/2 merges them, so 1/4 … 1/16 add nothing; 1 … 16 split.
    assert.deepEqual([...new Set(doc.points.map((p) => p.knob))], [0.5, 1, 2, 4, 8, 16]);
    assert.equal(doc.points.length, 6 * 5);
    // At 1/2: one device per IOMMU (2); at 1: the recorded 3.
    assert.equal(doc.points.find((p) => p.knob === 0.5)!.devices, 2);
    assert.equal(doc.points.find((p) => p.knob === 1)!.devices, 3);
    for (const p of doc.points) {
      const o = p.outstanding_per_device!;
      assert.ok(o.lo <= o.value && o.value <= o.hi, JSON.stringify(o));
      assert.deepEqual(Object.keys(p.intervals.device_latency_ns.p99!), ['value', 'lo', 'hi']);
    }
    // Merging onto fewer devices puts more groups in flight on each.
    const at = (k: number) => doc.points.find((p) => p.knob === k && p.model === 'domain-wide' && p.structure === 'xarray')!.outstanding_per_device!.value;
    assert.ok(at(0.5) > at(1) && at(1) > at(2), `${at(0.5)} > ${at(1)} > ${at(2)}`);
  });

  it('--axis sharing: devices per PASID m × 2 IOMMUs; the cache is per axis', () => {
    const r = cli(['sweep', '1', '--axis', 'sharing', '--json'], db);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as AxisDoc;
    assert.equal(doc.cached, false, 'not the outstanding sweep saved above');
    assert.deepEqual([...new Set(doc.points.map((p) => `${p.knob}:${p.devices_per_pasid}`))], ['1:2', '2:4', '4:8', '8:16', '16:32', '32:64', '64:128']);
    const again = JSON.parse(cli(['sweep', '1', '--axis', 'sharing', '--json'], db).stdout) as AxisDoc;
    assert.equal(again.cached, true);
    assert.deepEqual(again.points, doc.points);
    const text = cli(['sweep', '1', '--axis', 'sharing'], db);
    assert.match(text.stdout, /trace has 1\.67 devices per PASID \(recorded\)/);
  });

  it('the default is the PASID axis, its JSON still the array of points', () => {
    const r = cli(['sweep', '1', '--max-groups', '5', '--json'], db);
    assert.equal(r.code, 0, r.stderr);
    const points = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(points));
    assert.deepEqual(Object.keys(points[0]!), [
      'pasids',
      'allocation',
      'model',
      'structure',
      'lookup',
      'latency_ns',
      'device_latency_ns',
      'drops',
      'drain_utilisation',
      'intervals',
      'hypothetical',
      'stages',
      'sampled_groups',
    ]);
    assert.equal(JSON.stringify(JSON.parse(cli(['sweep', '1', '--axis', 'pasids', '--max-groups', '5', '--json'], db).stdout)), JSON.stringify(points));
  });

  it('a bad axis is refused with exit 2, naming the option and the choices', () => {
    const r = cli(['sweep', '1', '--axis', 'devices'], db);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--axis must be one of pasids, outstanding, sharing, got "devices"/);
    assert.match(r.stderr, /usage: pritrace sweep TRACE \[--axis pasids\|outstanding\|sharing\]/);
    assert.equal(r.stdout, '');
  });
});
