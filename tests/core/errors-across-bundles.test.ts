// Next builds lib/core/errors.ts into each server chunk group, while the database holder is
// shared process-wide: an error made by one copy must still be recognised by another copy's
// class, or the HTTP and exit-code mappers fall through to 500 / exit 1.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as here from '../../lib/core/errors.ts';

// A query string gives a second, independent instance of the same module, as a second bundle has.
const secondCopy = new URL('../../lib/core/errors.ts?second-copy', import.meta.url).href;
const other = (await import(secondCopy)) as typeof here;

describe('typed errors across module copies', () => {
  it('the two imports are distinct classes', () => {
    assert.notEqual(other.DatabaseBusyError, here.DatabaseBusyError);
  });

  it('an error from the other copy is instanceof this copy’s class, and only of its own kind', () => {
    const busy = new other.DatabaseBusyError('/tmp/x.duckdb');
    assert.ok(busy instanceof here.DatabaseBusyError);
    assert.ok(!(busy instanceof here.QueryError));
    assert.ok(!(busy instanceof here.NotFoundError));
    assert.ok(new other.QueryError('q') instanceof here.QueryError);
    assert.ok(new other.NotFoundError('trace 9') instanceof here.NotFoundError);
    assert.ok(new other.ReplayConfigError('seeds', 'must be 1–64') instanceof here.ReplayConfigError);
  });

  it('plain errors and non-errors are not typed errors', () => {
    assert.ok(!(new Error('database x is in use by another process') instanceof here.DatabaseBusyError));
    assert.ok(!({ name: 'DatabaseBusyError' } instanceof here.DatabaseBusyError));
    assert.ok(!((null as unknown) instanceof here.QueryError));
  });

  it('own instances still match, with their fields', () => {
    const e = new here.TraceParseError({ file: 'f', line: 3, column: 4 }, 'bad');
    assert.ok(e instanceof here.TraceParseError);
    assert.ok(e instanceof Error);
    assert.equal(e.message, 'f:3:4: bad');
  });
});
