import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ReplayConfigError } from '../../lib/core/errors.ts';
import { runReplay } from '../../lib/replay/engine.ts';
import { applyParamOverrides, PARAM_NAMES, PARAM_SPECS } from '../../lib/replay/params.ts';
import { KERNEL_ERAS, presetFor, PRESETS } from '../../lib/replay/presets.ts';
import { input, req } from './helpers.ts';

const base = presetFor('v6.9').params;

function throwsConfig(fn: () => unknown, parameter: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ReplayConfigError && e.parameter === parameter);
}

describe('applyParamOverrides', () => {
  it('applies valid overrides and leaves the original alone', () => {
    const p = applyParamOverrides(base, ['prqDepth=512', 'structure=hash', 'serviceP50Ns=3_000', 'qiHwNs=1.5e3']);
    assert.equal(p.prqDepth, 512);
    assert.equal(p.structure, 'hash');
    assert.equal(p.serviceP50Ns, 3000);
    assert.equal(p.qiHwNs, 1500);
    assert.equal(base.prqDepth, 2048);
  });

  it('rejects unknown names, malformed entries and bad values', () => {
    throwsConfig(() => applyParamOverrides(base, ['prqDepht=5']), 'prqDepht');
    throwsConfig(() => applyParamOverrides(base, ['prqDepth']), 'prqDepth');
    throwsConfig(() => applyParamOverrides(base, ['=5']), '=5');
    throwsConfig(() => applyParamOverrides(base, ['prqDepth=']), 'prqDepth');
    throwsConfig(() => applyParamOverrides(base, ['prqDepth=0x10']), 'prqDepth');
    throwsConfig(() => applyParamOverrides(base, ['prqDepth=12.5']), 'prqDepth');
    throwsConfig(() => applyParamOverrides(base, ['prqDepth=1']), 'prqDepth');
    throwsConfig(() => applyParamOverrides(base, ['workers=-1']), 'workers');
    throwsConfig(() => applyParamOverrides(base, ['structure=btree']), 'structure');
    throwsConfig(() => applyParamOverrides(base, ['serviceP99Ns=10']), 'serviceP99Ns');
    throwsConfig(() => applyParamOverrides(base, ['irqLatencyNs=fast']), 'irqLatencyNs');
    // Names every object inherits are not parameters.
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) throwsConfig(() => applyParamOverrides(base, [`${name}=1`]), name);
    throwsConfig(() => applyParamOverrides(base, ['serviceSlowFraction=1.5']), 'serviceSlowFraction');
    throwsConfig(() => applyParamOverrides(base, ['priCredits=0']), 'priCredits');
    throwsConfig(() => applyParamOverrides(base, ['workerLookup=cache']), 'workerLookup');
    throwsConfig(() => applyParamOverrides(base, ['wqWakeupP99Ns=10']), 'wqWakeupP99Ns');
    // The message names the parameter and its range.
    assert.throws(() => applyParamOverrides(base, ['priCredits=0']), /priCredits: must be in \[1, 1048576\] requests, got 0/);
  });

  it('runReplay rejects a bad model, seed, params or missing empirical samples', () => {
    const inp = input([req(0, 1, true)]);
    throwsConfig(() => runReplay(inp, 'per-pasid' as never, base, 1), 'model');
    throwsConfig(() => runReplay(inp, 'domain-wide', base, 1.5), 'seed');
    throwsConfig(() => runReplay(inp, 'domain-wide', { ...base, bogus: 1 } as never, 1), 'bogus');
    throwsConfig(() => runReplay(inp, 'domain-wide', { ...base, serviceDist: 'empirical' }, 1), 'serviceDist');
  });
});

describe('presets', () => {
  it('cover every era with the reference PRQ depths and valid, documented params', () => {
    assert.deepEqual(
      KERNEL_ERAS.map((e) => [e, PRESETS[e].model, PRESETS[e].params.prqDepth]),
      [
        ['v5.14', 'per-device', 128],
        ['v5.17', 'per-device', 512],
        ['v6.1', 'per-device', 2048],
        ['v6.6', 'per-device', 2048],
        ['v6.9', 'domain-wide', 2048],
        ['v6.11', 'domain-wide', 2048],
      ],
    );
    for (const era of KERNEL_ERAS) assert.deepEqual(Object.keys(PRESETS[era].params).sort(), [...PARAM_NAMES].sort());
    for (const name of PARAM_NAMES) assert.ok(PARAM_SPECS[name].doc.length > 10, name);
    // Every value of every era says where it comes from.
    for (const era of KERNEL_ERAS) {
      assert.deepEqual(Object.keys(PRESETS[era].provenance).sort(), [...PARAM_NAMES].sort(), era);
      for (const name of PARAM_NAMES) {
        const pv = PRESETS[era].provenance[name];
        assert.ok(['cited', 'fitted', 'estimate'].includes(pv.kind) && pv.source.length > 10, `${era} ${name}`);
      }
    }
    assert.deepEqual(
      KERNEL_ERAS.map((e) => PRESETS[e].params.priCredits),
      [32, 512, 2048, 2048, 2048, 2048],
    );
    throwsConfig(() => presetFor('v4.4'), 'preset');
  });
});
