// Synthetic PRI page-request traffic: devices behind IOMMUs on realistic root-bus numbers,
// processes that each own one PASID (one mm) and bind every device (so a PASID is shared by
// all of them, as with SVA), a bursty arrival process (quiet/burst Markov-modulated Poisson:
// faults come in bursts at the start of jobs, reference §7, and a burst mostly belongs to one
// process), multi-page groups. The default load stays inside the regime of the one real
// latency histogram (workers rarely all busy). The replay makes the devices closed loops
// (PRI credits). Returns a ReplayInput directly (columnar, so a
// million groups cost tens of MB) plus each request's page number. Called by simulate()
// and by the replay bench and tests; pure and seeded.

import { ReplayConfigError } from '../core/errors.ts';
import { EventQueue } from '../replay/event-queue.ts';
import { Rng } from '../replay/rng.ts';
import { PERM_R, PERM_W, type ReplayInput } from '../replay/types.ts';

export interface TrafficOptions {
  seed: number;
  /** Page request groups to generate. */
  groups: number;
  iommus?: number;
  /** At most 22, so every device fits on its IOMMU's bus from device number 0x0a. */
  devicesPerIommu?: number;
  /** Processes (PASIDs) bound to every device: one PASID per mm, shared by the devices. */
  pasidsPerDevice?: number;
  /** Share of a burst's groups that come from the process that started it. */
  burstLocality?: number;
  /** Mean arrival rate of groups over the whole trace. */
  groupsPerSecond?: number;
  /** Arrival rate inside a burst relative to outside. */
  burstFactor?: number;
  /** Fraction of the time spent in bursts. */
  burstFraction?: number;
  /** Mean burst length. */
  burstMeanNs?: number;
  /** Mean pages per group (1 + geometric). */
  pagesPerGroupMean?: number;
  /** Gap between the pages of one group. */
  pageGapNs?: number;
  /** Fraction of groups that write (perm rw) rather than read (r). */
  writeFraction?: number;
}

export type ResolvedTrafficOptions = Required<TrafficOptions>;

export const TRAFFIC_DEFAULTS: Omit<ResolvedTrafficOptions, 'seed' | 'groups'> = {
  iommus: 1,
  devicesPerIommu: 2,
  pasidsPerDevice: 4,
  groupsPerSecond: 50_000,
  burstLocality: 0.75,
  burstFactor: 8,
  burstFraction: 0.1,
  burstMeanNs: 200_000,
  pagesPerGroupMean: 2,
  pageGapNs: 200,
  writeFraction: 0.5,
};

export interface SimTraffic {
  input: ReplayInput;
  /** Page number (VA >> 12) of each request. */
  page: Float64Array;
  options: ResolvedTrafficOptions;
}

function check(name: string, value: number, min: number, max: number, integer: boolean): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new ReplayConfigError(name, `must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${value}`);
  }
}

export function resolveTrafficOptions(o: TrafficOptions): ResolvedTrafficOptions {
  const r: ResolvedTrafficOptions = { ...TRAFFIC_DEFAULTS, ...o };
  check('seed', r.seed, 0, Number.MAX_SAFE_INTEGER, true);
  check('groups', r.groups, 0, 50_000_000, true);
  check('iommus', r.iommus, 1, 64, true);
  check('devicesPerIommu', r.devicesPerIommu, 1, 22, true);
  check('pasidsPerDevice', r.pasidsPerDevice, 1, 65536, true);
  check('groupsPerSecond', r.groupsPerSecond, 1e-3, 1e10, false);
  check('burstFactor', r.burstFactor, 1, 1e6, false);
  check('burstFraction', r.burstFraction, 0, 0.999, false);
  check('burstMeanNs', r.burstMeanNs, 1, 1e13, false);
  check('pagesPerGroupMean', r.pagesPerGroupMean, 1, 512, false);
  check('pageGapNs', r.pageGapNs, 0, 1e9, false);
  check('writeFraction', r.writeFraction, 0, 1, false);
  check('burstLocality', r.burstLocality, 0, 1, false);
  if (r.pasidsPerDevice > 0xffffe) throw new ReplayConfigError('pasidsPerDevice', 'must fit in 20-bit PASIDs (PASID 0 is reserved)');
  return r;
}

/** Root buses of the first IOMMUs as a Sapphire Rapids-class server numbers them (one DRHD
 *  per stack); further IOMMUs continue the 0x23 stride. */
const ROOT_BUSES = [0x17, 0x3a, 0x5d, 0x80, 0x97, 0xba, 0xdd, 0xf2];

/** PCI name and RID of device j behind IOMMU i: on IOMMU i's root bus, device j, function 0. */
export function simDevice(i: number, j: number): { name: string; rid: number } {
  const bus = i < ROOT_BUSES.length ? ROOT_BUSES[i]! : (0x17 + 0x23 * i) & 0xff;
  const hex = (v: number) => v.toString(16).padStart(2, '0');
  return { name: `0000:${hex(bus)}:${hex(j)}.0`, rid: (bus << 8) | (j << 3) };
}

export function generateTraffic(options: TrafficOptions): SimTraffic {
  const o = resolveTrafficOptions(options);
  const rng = new Rng(o.seed);
  const nDev = o.iommus * o.devicesPerIommu;
  const devices: string[] = [];
  const devRid = new Int32Array(nDev);
  const devIommu = new Int32Array(nDev);
  for (let i = 0; i < o.iommus; i++) {
    for (let j = 0; j < o.devicesPerIommu; j++) {
      const d = simDevice(i, j);
      devRid[devices.length] = d.rid;
      devIommu[devices.length] = i;
      devices.push(d.name);
    }
  }
  const iommus = Array.from({ length: o.iommus }, (_, i) => `dmar${i}`);
  // Each process has one address space; its cursor moves as its faults are generated.
  const P = o.pasidsPerDevice;
  const cursor = new Float64Array(P);
  for (let f = 0; f < P; f++) cursor[f] = 0x550000000 + rng.nextInt(0x10000000);
  const prgiNext = new Int32Array(nDev);

  // Quiet/burst rates chosen so the long-run mean is groupsPerSecond.
  const meanGapNs = 1e9 / o.groupsPerSecond;
  const quietGap = meanGapNs * (1 + o.burstFraction * (o.burstFactor - 1));
  const burstGap = quietGap / o.burstFactor;
  const quietMeanNs = o.burstFraction > 0 ? (o.burstMeanNs * (1 - o.burstFraction)) / o.burstFraction : Infinity;
  const pExtra = 1 - 1 / o.pagesPerGroupMean; // geometric: P(one more page)

  // Requests of overlapping groups interleave: a heap of each open group's next page keeps
  // the output in time order without sorting millions of rows.
  const cap = Math.ceil(o.groups * o.pagesPerGroupMean * 1.2) + 16;
  let ts = new Float64Array(cap);
  let dev = new Int32Array(cap);
  let pasid = new Int32Array(cap);
  let prgi = new Int32Array(cap);
  let last = new Uint8Array(cap);
  let perm = new Uint8Array(cap);
  let page = new Float64Array(cap);
  let n = 0;
  const gDev = new Int32Array(o.groups);
  const gPasid = new Int32Array(o.groups);
  const gPrgi = new Int32Array(o.groups);
  const gPages = new Int32Array(o.groups);
  const gPerm = new Uint8Array(o.groups);
  const gFirstPage = new Float64Array(o.groups);
  const open = new EventQueue(256);

  const grow = (): void => {
    const c = ts.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (len: number) => T)(c);
      b.set(a);
      return b;
    };
    ts = g(ts);
    dev = g(dev);
    pasid = g(pasid);
    prgi = g(prgi);
    last = g(last);
    perm = g(perm);
    page = g(page);
  };
  const emit = (t: number, g: number, k: number): void => {
    if (n === ts.length) grow();
    ts[n] = t;
    dev[n] = gDev[g]!;
    pasid[n] = gPasid[g]!;
    prgi[n] = gPrgi[g]!;
    const isLast = k === gPages[g]! - 1;
    last[n] = isLast ? 1 : 0;
    perm[n] = gPerm[g]!;
    page[n] = gFirstPage[g]! + k;
    n++;
    if (!isLast) open.push(t + o.pageGapNs, 0, g, k + 1);
  };

  let t = 0;
  let inBurst = false;
  let burstProcess = 0;
  let stateEnd = o.burstFraction > 0 ? rng.nextExponential(quietMeanNs) : Infinity;
  for (let g = 0; g < o.groups; g++) {
    for (;;) {
      const gap = rng.nextExponential(inBurst ? burstGap : quietGap);
      if (t + gap <= stateEnd) {
        t += gap;
        break;
      }
      // Memoryless: restart the draw at the state change.
      t = stateEnd;
      inBurst = !inBurst;
      if (inBurst) burstProcess = rng.nextInt(P);
      stateEnd = t + rng.nextExponential(inBurst ? o.burstMeanNs : quietMeanNs);
    }
    const start = Math.round(t);
    const d = rng.nextInt(nDev);
    const u = rng.nextFloat();
    const f = inBurst && u < o.burstLocality ? burstProcess : rng.nextInt(P);
    let pages = 1;
    while (pages < 512 && rng.nextFloat() < pExtra) pages++;
    gDev[g] = d;
    gPasid[g] = 1 + f; // dense, lowest-first like the kernel's PASID IDA
    gPrgi[g] = prgiNext[d]!;
    prgiNext[d] = (prgiNext[d]! + 1) % 512;
    gPages[g] = pages;
    gPerm[g] = rng.nextFloat() < o.writeFraction ? PERM_R | PERM_W : PERM_R;
    gFirstPage[g] = cursor[f]!;
    cursor[f]! += pages + rng.nextInt(16);
    while (open.size > 0 && open.peekTime() <= start) {
      open.pop();
      emit(open.popTime, open.popA, open.popB);
    }
    emit(start, g, 0);
  }
  while (open.pop()) emit(open.popTime, open.popA, open.popB);

  const device = dev.slice(0, n);
  const iommu = new Int32Array(n);
  const rid = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    iommu[r] = devIommu[device[r]!]!;
    rid[r] = devRid[device[r]!]!;
  }
  return {
    input: {
      count: n,
      tsNs: ts.slice(0, n),
      originNs: 0n,
      iommu,
      iommus,
      rid,
      pasid: pasid.slice(0, n),
      prgi: prgi.slice(0, n),
      last: last.slice(0, n),
      device,
      devices,
      perm: perm.slice(0, n),
    },
    page: page.slice(0, n),
    options: o,
  };
}
