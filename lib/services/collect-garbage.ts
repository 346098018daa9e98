// A full garbage collection, on demand, for the ingest's big typed arrays. Their backing
// stores are freed only when V8 collects their objects, and V8 collects when JS allocates;
// an ingest allocates a few hundred MB of arrays, lets them die, then sits idle in DuckDB
// statements, so without this the dead arrays stay resident through the ingest's memory peak
// (bench trace: 681 MiB peak without, see the commit for with). A full collection of the
// ingest's small JS heap takes a few milliseconds.

import v8 from 'node:v8';
import vm from 'node:vm';

// --expose-gc set at run time applies to contexts created after it: the new context's `gc`.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Below this many events the arrays are a few MB: a collection would pause for nothing. */
const WORTH_IT = 1 << 18;

/** Collects now when `events` events' worth of arrays just died. */
export function collectGarbage(events: number): void {
  if (events >= WORTH_IT) gc();
}
