// Annotations against a real DuckDB: create, list in time order, edit, delete, and every
// validation rule; markup in the text is stored exactly as written.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { InvalidAnnotationError, NotFoundError } from '../../lib/core/errors.ts';
import { ANNOTATION_LIMITS, createAnnotation, deleteAnnotation, getAnnotation, listAnnotations, updateAnnotation } from '../../lib/db/annotations.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { TRACES_DIR, withTempDb } from '../helpers/temp-db.ts';

describe('annotations', () => {
  it('create, list in time order, update and delete', async () => {
    await withTempDb(async (db) => {
      const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'sim-small.csv') });
      const [origin] = await db.all<{ t: bigint }>('SELECT first_ts_ns AS t FROM traces WHERE trace_id = $1', [trace_id]);
      const t0 = origin!.t;
      const markup = '<script>alert(1)</script> **bold** | [x](javascript:alert(1))';
      const late = await createAnnotation(db, { trace_id, start_ns: t0 + 500n, end_ns: t0 + 900n, author: ' ana ', text: markup });
      const early = await createAnnotation(db, {
        trace_id,
        start_ns: t0 + 100n,
        end_ns: t0 + 100n,
        device: '0000:00:0a.0',
        pasid: 1,
        author: 'bo',
        text: 'spike',
      });
      const free = await createAnnotation(db, { trace_id, author: 'cy', text: 'overall: fine' });

      assert.equal(late.text, markup, 'text is stored as given');
      assert.equal(late.author, 'ana', 'author is trimmed');
      assert.equal(late.start_ns, t0 + 500n);
      assert.equal(late.start_offset_ns, 500);
      assert.equal(late.end_offset_ns, 900);
      assert.equal(early.device, '0000:00:0a.0');
      assert.equal(early.pasid, 1);
      assert.equal(free.start_ns, null);
      assert.equal(free.start_offset_ns, null);
      assert.match(free.created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.notEqual(late.annotation_id, early.annotation_id);

      const listed = await listAnnotations(db, trace_id);
      assert.deepEqual(
        listed.map((a) => a.annotation_id),
        [early.annotation_id, late.annotation_id, free.annotation_id],
      );

      const edited = await updateAnnotation(db, late.annotation_id, { text: 'edited', start_ns: null, end_ns: null });
      assert.equal(edited.text, 'edited');
      assert.equal(edited.author, 'ana', 'fields not in the patch keep their value');
      assert.equal(edited.start_ns, null);
      const cleared = await updateAnnotation(db, early.annotation_id, { device: null });
      assert.equal(cleared.device, null);
      assert.equal(cleared.pasid, 1);

      await deleteAnnotation(db, free.annotation_id);
      await assert.rejects(getAnnotation(db, free.annotation_id), NotFoundError);
      await assert.rejects(deleteAnnotation(db, free.annotation_id), NotFoundError);
      assert.equal((await listAnnotations(db, trace_id)).length, 2);
    });
  });

  it('refuses invalid notes with the field at fault', async () => {
    await withTempDb(async (db) => {
      const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'sim-small.csv') });
      const ok = { trace_id, author: 'a', text: 't' };
      const cases: [Record<string, unknown>, string][] = [
        [{ author: '' }, 'author'],
        [{ author: '   ' }, 'author'],
        [{ author: 'x'.repeat(ANNOTATION_LIMITS.authorChars + 1) }, 'author'],
        [{ text: '' }, 'text'],
        [{ text: ' \n ' }, 'text'],
        [{ text: 'x'.repeat(ANNOTATION_LIMITS.textChars + 1) }, 'text'],
        [{ text: 'a\u0000b' }, 'text'],
        [{ start_ns: 10n, end_ns: 5n }, 'range'],
        [{ start_ns: 10n }, 'range'],
        [{ start_ns: 10, end_ns: 20 }, 'start_ns'],
        [{ pasid: -1 }, 'pasid'],
        [{ pasid: 1.5 }, 'pasid'],
        [{ pasid: 0x100000 }, 'pasid'],
        [{ device: '' }, 'device'],
      ];
      for (const [bad, field] of cases) {
        await assert.rejects(
          createAnnotation(db, { ...ok, ...bad } as never),
          (e: unknown) => e instanceof InvalidAnnotationError && e.field === field,
          JSON.stringify(bad, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
        );
      }
      // An emoji is one character however many UTF-16 units it takes.
      await createAnnotation(db, { ...ok, text: '🔥'.repeat(ANNOTATION_LIMITS.textChars) });
      await assert.rejects(createAnnotation(db, { ...ok, trace_id: 999 }), NotFoundError);
      const a = await createAnnotation(db, ok);
      await assert.rejects(updateAnnotation(db, a.annotation_id, { start_ns: 5n, end_ns: 1n }), InvalidAnnotationError);
      await assert.rejects(updateAnnotation(db, 12345, { text: 'x' }), NotFoundError);
    });
  });

  it('concurrent creates on separate connections all get distinct ids', async () => {
    await withTempDb(async (db, dbPath) => {
      const { trace_id } = await ingestFile(db, { file: path.join(TRACES_DIR, 'sim-small.csv') });
      const { openDb } = await import('../../lib/db/instance.ts');
      const conns = await Promise.all(Array.from({ length: 6 }, () => openDb(dbPath)));
      try {
        const made = await Promise.all(conns.map((c, i) => createAnnotation(c, { trace_id, author: 'a', text: `note ${i}` })));
        assert.equal(new Set(made.map((m) => m.annotation_id)).size, made.length);
      } finally {
        for (const c of conns) c.close();
      }
    });
  });
});
