// A publisher for the kill test (not a test itself): publishes one trace of a database into a
// lake and, when asked, SIGKILLs itself at a named step, as a crash there would.
// usage: node --import tsx publish-child.ts DB LAKE TRACE_ID [STEP]

import { openDb } from '../../lib/db/instance.ts';
import { publishTrace } from '../../lib/db/lake/publish.ts';

const [dbPath, lake, traceId, killAt] = process.argv.slice(2);
const db = await openDb(dbPath!);
process.stdout.write('ready\n');
const started = performance.now();
await publishTrace(db, Number(traceId), {
  lake: lake!,
  host: 'host-k',
  kernel: '6.9.0',
  onStep: (step) => {
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write(`done ${Math.round(performance.now() - started)}\n`);
db.close();
