// The one id schema (lib/core/ids.ts) that route handlers, pages, the CLI and resolveTrace share.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseId, parseIdList } from '../../lib/core/ids.ts';

describe('parseId', () => {
  it('reads one to nine digits as the number they spell', () => {
    assert.equal(parseId('0'), 0);
    assert.equal(parseId('7'), 7);
    assert.equal(parseId('007'), 7);
    assert.equal(parseId('999999999'), 999_999_999);
  });

  it('refuses everything else: no id, not "no such id" by accident', () => {
    for (const raw of ['', ' 7', '7 ', '-1', '+1', '1.0', '1e3', '0x1f', 'abc', '1x', '１', '1234567890', '99999999999999999999']) {
      assert.equal(parseId(raw), null, JSON.stringify(raw));
    }
    assert.equal(parseId(null), null);
    assert.equal(parseId(undefined), null);
  });
});

describe('parseIdList', () => {
  it('splits on commas, trims, keeps order and repeats, and names what is not an id', () => {
    assert.deepEqual(parseIdList('3, 5,3'), { ids: [3, 5, 3], bad: [] });
    assert.deepEqual(parseIdList('3,abc,,12345678901'), { ids: [3], bad: ['abc', '', '12345678901'] });
    assert.deepEqual(parseIdList('none'), { ids: [], bad: ['none'] });
  });
});
