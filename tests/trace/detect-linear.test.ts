// Format detection runs on whatever an upload's first 64 KiB hold, so it must be linear in the
// line: the old prefix regex (`^\s*(.+?)-…`) backtracked quadratically over leading whitespace
// and a gzip of 65 000 spaces froze the server for 2.4 s. Each input here is 2 MiB: linear
// work finishes in milliseconds, quadratic work would need ~10^12 steps, far past the timeout.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceRejectedError } from '../../lib/core/errors.ts';
import { detectFormat } from '../../lib/trace/detect.ts';
import { detectFtrace, parsePrefix, Prefix } from '../../lib/trace/formats/ftrace/line.ts';

const N = 2 << 20;
const hostile = {
  'spaces then a word': `${' '.repeat(N)}x`,
  'spaces then a dash and digits': `${' '.repeat(N)}-1 x`,
  'dashes and digits': '-1 '.repeat(N / 3),
  'a comm of dashes before a cpu column without a time': `${'a-1 '.repeat(N / 4)}[000] x:`,
  'tabs and form feeds': `${'\t\f'.repeat(N / 2)}CPU:1`,
  'a long # comment then text': `#${' '.repeat(N)}`,
  'cpus= then spaces and a word': `cpus=1${' '.repeat(N)}x`,
};

describe('format detection is linear in the line', () => {
  for (const [name, line] of Object.entries(hostile)) {
    it(name, { timeout: 60_000 }, () => {
      assert.equal(detectFtrace([line]), null);
      assert.throws(() => detectFormat('hostile.trace', [line]), TraceRejectedError);
    });
  }

  it('still parses a prefix after long leading whitespace, where the event really is', { timeout: 60_000 }, () => {
    const line = `${' '.repeat(N)}bash-1 [000] 1.000000: sched_switch: x`;
    const p = new Prefix();
    assert.equal(parsePrefix(line, 0, line.length, p), true);
    assert.equal(line.slice(p.commStart, p.commEnd), 'bash');
    assert.equal(line.slice(p.eventStart, p.eventEnd), 'sched_switch');
    assert.equal(line.slice(p.head), 'x');
  });
});
