// Saved views against a real DuckDB: save, list per trace and for /compare, delete; the trace
// comes from the URL's path; only same-origin relative paths under /traces/<id> or /compare
// are accepted; names are unique per trace; concurrent saves get distinct ids.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { InvalidSavedViewError, NotFoundError } from '../../lib/core/errors.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { deleteSavedView, listSavedViews, parseViewUrl, saveView } from '../../lib/db/saved-views.ts';
import { TRACES_DIR, withTempDb } from '../helpers/temp-db.ts';

describe('saved views', () => {
  it('save, list per trace and for compare, delete', async () => {
    await withTempDb(async (db) => {
      const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'sim-small.csv') });
      const zoom = await saveView(db, { name: '  spike zoom ', url: `/traces/${trace_id}/latency?device=0000%3A00%3A0a.0&from=100&to=900#chart` });
      assert.equal(zoom.name, 'spike zoom', 'name trimmed');
      assert.equal(zoom.trace_id, trace_id, 'trace read from the path');
      assert.equal(zoom.url, `/traces/${trace_id}/latency?device=0000%3A00%3A0a.0&from=100&to=900`, 'fragment dropped, query kept as given');
      assert.match(zoom.created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      const overview = await saveView(db, { name: 'overview', url: `/traces/${trace_id}` });
      const cmp = await saveView(db, { name: 'overview', url: `/compare?a=${trace_id}&b=${trace_id}` });
      assert.equal(cmp.trace_id, null);

      assert.deepEqual(
        (await listSavedViews(db, trace_id)).map((v) => v.view_id),
        [overview.view_id, zoom.view_id],
        'newest first',
      );
      assert.deepEqual(
        (await listSavedViews(db, null)).map((v) => v.name),
        ['overview'],
        'compare views apart, same name allowed there',
      );
      assert.deepEqual(await listSavedViews(db, trace_id + 1), []);

      await deleteSavedView(db, zoom.view_id);
      assert.deepEqual(
        (await listSavedViews(db, trace_id)).map((v) => v.view_id),
        [overview.view_id],
      );
      await assert.rejects(deleteSavedView(db, zoom.view_id), NotFoundError);
    });
  });

  it('refuses names taken on the same trace, empty or overlong names, and unknown traces', async () => {
    await withTempDb(async (db) => {
      const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'sim-small.csv') });
      await saveView(db, { name: 'a', url: `/traces/${trace_id}` });
      const field = (f: string) => (e: unknown) => e instanceof InvalidSavedViewError && e.field === f;
      await assert.rejects(saveView(db, { name: 'a', url: `/traces/${trace_id}/latency` }), field('name'));
      await assert.rejects(saveView(db, { name: '   ', url: `/traces/${trace_id}` }), field('name'));
      await assert.rejects(saveView(db, { name: 'x'.repeat(101), url: `/traces/${trace_id}` }), field('name'));
      await assert.rejects(saveView(db, { name: 42, url: `/traces/${trace_id}` }), field('name'));
      await assert.rejects(saveView(db, { name: 'b', url: '/traces/999/latency' }), NotFoundError);
      assert.equal((await listSavedViews(db, trace_id)).length, 1);
    });
  });

  it('accepts only same-origin relative paths under /traces/<id> or /compare', () => {
    const refused = [
      'https://evil.example/traces/1',
      '//evil.example/traces/1',
      '/\\evil.example/traces/1',
      'javascript:alert(1)',
      ' /traces/1',
      'traces/1',
      '/',
      '/sql?q=SELECT%201',
      '/api/traces/1/export?format=csv',
      '/traces/1/../../sql',
      '/traces/abc',
      '/traces/1/latency/extra',
      '/compare/x',
      '/traces/1\n/x',
      `/traces/1?${'x'.repeat(2000)}`,
      '',
      null,
    ];
    for (const url of refused) assert.throws(() => parseViewUrl(url), InvalidSavedViewError, JSON.stringify(url));
    assert.deepEqual(parseViewUrl('/traces/12/latency?pasid=3'), { url: '/traces/12/latency?pasid=3', trace_id: 12 });
    assert.deepEqual(parseViewUrl('/traces/12'), { url: '/traces/12', trace_id: 12 });
    assert.deepEqual(parseViewUrl('/traces/12/groups/7'), { url: '/traces/12/groups/7', trace_id: 12 });
    assert.throws(() => parseViewUrl('/traces/12/latency/7'), InvalidSavedViewError);
    assert.deepEqual(parseViewUrl('/compare?runA=1&runB=2'), { url: '/compare?runA=1&runB=2', trace_id: null });
    // A quote or angle bracket in the query is percent-encoded by the URL parser before storing.
    assert.equal(parseViewUrl('/compare?a="><script>').url, '/compare?a=%22%3E%3Cscript%3E');
  });

  it('concurrent saves get distinct ids', async () => {
    await withTempDb(async (db) => {
      const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'sim-small.csv') });
      const views = await Promise.all(Array.from({ length: 8 }, (_, i) => saveView(db, { name: `v${i}`, url: `/traces/${trace_id}?n=${i}` })));
      assert.equal(new Set(views.map((v) => v.view_id)).size, 8);
      assert.equal((await listSavedViews(db, trace_id)).length, 8);
    });
  });
});
