import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runReplay } from '../../lib/replay/engine.ts';
import { presetFor } from '../../lib/replay/presets.ts';
import { Rng } from '../../lib/replay/rng.ts';
import type { RequestRow } from '../../lib/replay/types.ts';
import { input } from './helpers.ts';

/** Bursty traffic with many equal timestamps: 3 devices on 2 IOMMUs, 4 PASIDs each. */
function rowsWithTies(): RequestRow[] {
  const rng = new Rng(99);
  const rows: RequestRow[] = [];
  const prgiNext = [0, 0, 0];
  for (let k = 0; k < 600; k++) {
    const d = rng.nextInt(3);
    const t = Math.floor(k / 8) * 2000; // 8 requests share each timestamp
    const prgi = prgiNext[d]!++ % 512;
    const common = { iommu: d === 2 ? 'dmar1' : 'dmar0', device: `0000:00:0${d + 1}.0`, rid: (d + 1) << 3, pasid: 1 + rng.nextInt(4), prgi };
    if (rng.nextFloat() < 0.5) rows.push({ ...common, tsNs: BigInt(t), last: false, perm: 'r' });
    rows.push({ ...common, tsNs: BigInt(t), last: true, perm: 'rw' });
  }
  return rows;
}

function shuffled<T>(a: T[], seed: number): T[] {
  const rng = new Rng(seed);
  const out = [...a];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('determinism', () => {
  for (const era of ['v5.14', 'v6.9'] as const) {
    const { model, params } = presetFor(era);
    const tight = { ...params, prqDepth: 16, workers: 2 };

    it(`${era}: the same seed gives identical results`, () => {
      const a = runReplay(input(rowsWithTies()), model, tight, 42);
      const b = runReplay(input(rowsWithTies()), model, tight, 42);
      assert.deepEqual(a.summary, b.summary);
      assert.deepEqual(a.groups, b.groups);
      assert.deepEqual(a.queueDepth, b.queueDepth);
      assert.ok(a.summary.drops > 0, 'the scenario should overflow the small PRQ');
      const c = runReplay(input(rowsWithTies()), model, tight, 43);
      assert.notDeepEqual(a.groups.latencyNs, c.groups.latencyNs);
    });

    it(`${era}: equal-timestamp rows in another order give identical results`, () => {
      const rows = rowsWithTies();
      const a = runReplay(input(rows), model, tight, 7);
      const b = runReplay(input(shuffled(rows, 5)), model, tight, 7);
      assert.deepEqual(a.summary, b.summary);
      assert.deepEqual(a.groups.latencyNs, b.groups.latencyNs);
      assert.deepEqual(a.groups.lookupVisits, b.groups.lookupVisits);
      assert.deepEqual(a.queueDepth, b.queueDepth);
      // lastRequestIndex points into each caller's own row order.
      const shuffledRows = shuffled(rows, 5);
      const g = 10;
      const ra = rows[a.groups.lastRequestIndex[g]!]!;
      const rb = shuffledRows[b.groups.lastRequestIndex[g]!]!;
      assert.deepEqual([ra.device, ra.pasid, ra.prgi, ra.tsNs], [rb.device, rb.pasid, rb.prgi, rb.tsNs]);
    });
  }
});

describe('scratch reuse', () => {
  it('leaves no trace of earlier replays of other sizes', () => {
    const { model, params } = presetFor('v5.14');
    const small = input(rowsWithTies().slice(0, 100));
    const big = input(rowsWithTies());
    const first = runReplay(small, model, params, 3);
    runReplay(big, model, { ...params, prqDepth: 8, workers: 1 }, 4);
    const again = runReplay(small, model, params, 3);
    assert.deepEqual(again.summary, first.summary);
    assert.deepEqual(again.groups, first.groups);
  });
});

describe('replayInputFromRequests', () => {
  it('derives missing RIDs from PCI names and keeps names sorted', () => {
    const inp = input([
      { tsNs: 5n, iommu: 'dmar1', device: '0000:00:0a.0', rid: null, pasid: 1, prgi: 0, last: true, perm: 'r' },
      { tsNs: 3n, iommu: 'dmar0', device: '0000:3a:1f.7', pasid: 1, prgi: 0, last: true, perm: 'rw' },
      { tsNs: 4n, iommu: '', device: 'hisi-acc', pasid: 1, prgi: 0, last: true, perm: null },
    ]);
    assert.deepEqual(inp.iommus, ['', 'dmar0', 'dmar1']);
    assert.deepEqual(inp.devices, ['0000:00:0a.0', '0000:3a:1f.7', 'hisi-acc']);
    assert.deepEqual([...inp.rid], [0x50, 0x3aff, 0xffff - 2]);
    assert.deepEqual([...inp.tsNs], [2, 0, 1]);
    assert.equal(inp.originNs, 3n);
    assert.equal(inp.perm, undefined, 'perm is dropped unless every row has it');
  });
});
