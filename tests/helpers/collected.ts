// Drains what a page-event collector gives back (events in (time, line) order, a block at a
// time, from its spill file) into whole arrays, the shape the collector tests check their
// hand-worked values against: in the merge's order, or in the order a test added them (found
// by line, unique in a trace).

import os from 'node:os';
import { PageEventCollector, type CollectorOptions, type PairingKey } from '../../lib/trace/page-event-collector.ts';
import type { PairingEvents } from '../../lib/trace/pairing.ts';
import { openSpillFile, type SpillFile } from '../../lib/services/spill-file.ts';

const open: SpillFile[] = [];
process.on('exit', () => {
  for (const s of open) s.close();
});

/** A collector over a real spill file in the system temp dir, closed when the test process exits. */
export function newCollector(opts?: CollectorOptions): PageEventCollector {
  const spill = openSpillFile(os.tmpdir());
  open.push(spill);
  return new PageEventCollector(spill, opts);
}

export interface Drained {
  events: PairingEvents;
  code: Int8Array;
  keys: PairingKey[];
}

/** The collected events in the order the merge gives them. */
export function drain(c: PageEventCollector, base: readonly number[] = [0], ridDevice: (iommu: string, rid: number) => string | null = () => null): Drained {
  const collected = c.finish(base, ridDevice);
  const n = collected.n;
  const events: PairingEvents = {
    n,
    dk: new Int32Array(n),
    key: new Int32Array(n),
    ts: new Int32Array(2 * n),
    line: new Uint32Array(n),
    flags: new Uint8Array(n),
  };
  const code = new Int8Array(n);
  let at = 0;
  for (const b of collected.blocks()) {
    const e = b.events;
    events.dk.set(e.dk.subarray(0, e.n), at);
    events.key.set(e.key.subarray(0, e.n), at);
    events.ts.set(e.ts.subarray(0, 2 * e.n), 2 * at);
    events.line.set(e.line.subarray(0, e.n), at);
    events.flags.set(e.flags.subarray(0, e.n), at);
    code.set(b.code.subarray(0, e.n), at);
    at += e.n;
  }
  if (at !== n) throw new Error(`drained ${at} of ${n} events`);
  return { events, code, keys: collected.keys };
}

/** The collected events in the order of lines, the file-wide lines of the events as they were added (base [0]). */
export function drainInAddedOrder(c: PageEventCollector, lines: readonly number[]): Drained {
  const d = drain(c);
  const n = d.events.n;
  if (lines.length !== n) throw new Error(`${lines.length} lines given for ${n} events`);
  const at = new Map(Array.from(d.events.line, (line, i) => [line, i]));
  const order = lines.map((line) => at.get(line)!);
  const pick = <T extends Int32Array | Uint32Array | Uint8Array | Int8Array>(a: T, width = 1): T => {
    const out = new (a.constructor as new (n: number) => T)(a.length);
    order.forEach((from, to) => {
      for (let w = 0; w < width; w++) out[width * to + w] = a[width * from + w]!;
    });
    return out;
  };
  const e = d.events;
  return {
    events: { n, dk: pick(e.dk), key: pick(e.key), ts: pick(e.ts, 2), line: pick(e.line), flags: pick(e.flags) },
    code: pick(d.code),
    keys: d.keys,
  };
}
