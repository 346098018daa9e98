// The capture guide (lib/capture/forms.ts: the /capture page and README "Recording PRI
// traffic"): every form's sample ingests as the format the guide names, with the counts worked
// out by hand in tests/fixtures/expected.ts (text samples) and traces/README.md (the .dat
// scenario: 7 page requests, 5 responses, 4 answered groups); each form's last command ingests
// the file its recording commands wrote; `trace-cmd report -i pri.dat > pri.txt` is run for real
// (Debian's trace-cmd) on the .dat sample and ingests to the .dat's own counts; and the README
// shows every command exactly as the page does.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CAPTURE_FORMS } from '../../lib/capture/forms.ts';
import { ingestFile } from '../../lib/services/ingest.ts';
import { expected } from '../fixtures/expected.ts';
import { TRACES_DIR, tempDir, withTempDb } from '../helpers/temp-db.ts';

const README = fs.readFileSync(path.resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
/** traces/README.md's .dat scenario, counted by hand there. */
const DAT = { page_requests: 7, page_responses: 5, answered: 4 };

/** Files a command line writes: `-o FILE`, `> FILE`, and `gzip -k FILE` → FILE.gz. */
function writes(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/(?:-o|>)\s+(\S+)/g)) out.push(m[1]!);
  const gz = /^gzip -k (\S+)$/.exec(line);
  if (gz) out.push(`${gz[1]}.gz`);
  return out;
}

describe('capture guide: every form ingests', () => {
  it('lists each form once, with a sample that exists', () => {
    assert.equal(new Set(CAPTURE_FORMS.map((f) => f.id)).size, CAPTURE_FORMS.length);
    for (const f of CAPTURE_FORMS) assert.ok(fs.existsSync(path.join(TRACES_DIR, f.sample)), f.sample);
  });

  for (const form of CAPTURE_FORMS) {
    it(`${form.title}: the commands end by ingesting what they recorded; the sample ingests as ${form.format}`, async () => {
      const last = form.commands[form.commands.length - 1]!;
      const m = /^pritrace ingest (\S+)$/.exec(last);
      assert.ok(m, `last command ingests: ${last}`);
      const recorded = form.commands.slice(0, -1).flatMap(writes);
      assert.ok(recorded.includes(m[1]!), `${m[1]} is written by an earlier command (${recorded.join(', ')})`);
      const r = await withTempDb((db) => ingestFile(db, { file: path.join(TRACES_DIR, form.sample) }));
      assert.equal(r.format, form.format);
      assert.equal(r.bad_lines, 0);
      const want = expected[form.sample];
      if (want) {
        assert.equal(r.page_requests, want.events.page_requests);
        assert.equal(r.page_responses, want.events.page_responses);
        assert.equal(r.unrecoverable_faults, want.events.unrecoverable_faults);
        assert.equal(r.groups.answered, want.groups.answered);
      } else {
        assert.equal(form.format, 'trace-dat');
        assert.deepEqual([r.page_requests, r.page_responses, r.groups.answered], [DAT.page_requests, DAT.page_responses, DAT.answered]);
      }
      // A form without PRI events says so.
      if (r.page_requests === 0) assert.ok(form.limits, `${form.id} records no page requests and should say so`);
    });
  }

  it('trace-cmd report -i pri.dat > pri.txt, run for real, ingests to the .dat counts', async () => {
    const form = CAPTURE_FORMS.find((f) => f.id === 'trace-cmd-report')!;
    assert.equal(form.commands[0], 'trace-cmd report -i pri.dat > pri.txt');
    const dir = tempDir('pritrace-capture-');
    const txt = path.join(dir, 'pri.txt');
    const report = spawnSync('/usr/bin/trace-cmd', ['report', '-i', path.join(TRACES_DIR, 'intel-v6.dat')], { encoding: 'utf8' });
    assert.equal(report.status, 0, report.stderr);
    fs.writeFileSync(txt, report.stdout);
    const r = await withTempDb((db) => ingestFile(db, { file: txt }));
    assert.equal(r.format, 'trace-cmd');
    assert.deepEqual([r.page_requests, r.page_responses, r.groups.answered], [DAT.page_requests, DAT.page_responses, DAT.answered]);
  });

  it('the README shows every command and sample exactly as the page does', () => {
    const section = README.slice(README.indexOf('## Recording PRI traffic'));
    assert.ok(section.length > 0 && README.includes('## Recording PRI traffic'));
    for (const f of CAPTURE_FORMS) {
      assert.ok(section.includes(`### ${f.title}\n`), f.title);
      assert.ok(section.includes(['```sh', ...f.commands, '```'].join('\n')), `${f.id}: commands`);
      assert.ok(section.includes(`traces/${f.sample}`), f.sample);
    }
  });
});
