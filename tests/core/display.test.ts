// The one display convention (lib/core/display.ts) that the pages' and the reports' format
// modules both use: values worked out by hand.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactNs, percent, signedPercent } from '../../lib/postmortem/format.ts';
import { NONE, percentText, signedPercentText } from '../../lib/core/display.ts';

describe('display convention', () => {
  it('prints percentages with a space and a sign for changes', () => {
    assert.equal(percentText(0.123), '12.3 %');
    assert.equal(percentText(0.5, 0), '50 %');
    assert.equal(signedPercentText(0.042), '+4.2 %');
    assert.equal(signedPercentText(-0.042), '-4.2 %');
    assert.equal(signedPercentText(0), '+0.0 %');
  });

  it('prints a missing value as an em dash', () => {
    assert.equal(NONE, '—');
    assert.equal(percentText(null), '—');
    assert.equal(signedPercentText(Number.NaN), '—');
  });

  it('is what the reports print too', () => {
    assert.equal(percent(0.25), '25.0 %');
    assert.equal(signedPercent(-0.1), '-10.0 %');
    assert.equal(exactNs(null), '—');
  });
});
