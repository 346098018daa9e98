// The PRI traffic simulator: bursty traffic (traffic.ts) run through a replay model so the
// trace's latencies are the model's, returned as the events a tracer would record: requests
// at their prq_report moment (requests lost to a full PRQ never appear, their re-sends do),
// responses at their qi_submit moment. Pure and seeded; called by the CLI `simulate` verb.

import { ReplayConfigError } from '../core/errors.ts';
import { runReplay } from '../replay/engine.ts';
import { applyParamOverrides, type ReplayParams } from '../replay/params.ts';
import { presetFor, type KernelEra } from '../replay/presets.ts';
import { Rng } from '../replay/rng.ts';
import type { ModelName, ReplaySummary } from '../replay/types.ts';
import { generateTraffic, type TrafficOptions } from './traffic.ts';

export interface SimulateOptions extends TrafficOptions {
  /** Kernel era whose preset supplies model and params; default v6.9. */
  preset?: KernelEra;
  /** Overrides the preset's model. */
  model?: ModelName;
  /** Overrides the preset's params. */
  params?: ReplayParams;
  /** `name=value` overrides applied last. */
  overrides?: readonly string[];
  /** Trace clock at the first request, ns (ftrace clocks count from boot). Default 5823 s. */
  startNs?: bigint;
  /** Fraction of groups answered Invalid (code 1). */
  invalidFraction?: number;
  /** Fraction of groups answered Failure (code 2). */
  failureFraction?: number;
  /** CPUs of the simulated host (ftrace header, CPU numbers). Default 16. */
  cpus?: number;
}

export const KIND_REQUEST = 0;
export const KIND_RESPONSE = 1;

/** Events in trace order, one column per field. */
export interface SimEvents {
  count: number;
  tsNs: BigInt64Array;
  /** KIND_REQUEST or KIND_RESPONSE. */
  kind: Uint8Array;
  iommu: Int32Array;
  iommus: string[];
  device: Int32Array;
  devices: string[];
  rid: Int32Array;
  pasid: Int32Array;
  prgi: Int32Array;
  /** Requests: Last Page In Group. */
  last: Uint8Array;
  /** Requests: page number (VA >> 12). */
  page: Float64Array;
  /** Requests: PERM_* bits. */
  perm: Uint8Array;
  /** Responses: 0 success, 1 invalid, 2 failure. */
  code: Uint8Array;
  cpu: Int32Array;
  /** Requests: prq_report seq# (per IOMMU, from 0, v6.1+ numbering); −1 for responses. */
  seq: Int32Array;
  /** Index into tasks: the thread that emitted the event. */
  task: Int32Array;
  tasks: { comm: string; pid: number }[];
  cpus: number;
}

/** Groups in replay order (by last-page request). */
export interface SimGroups {
  count: number;
  iommu: Int32Array;
  device: Int32Array;
  pasid: Int32Array;
  prgi: Int32Array;
  /** Pages reported (requests that reached the driver). */
  pages: Int32Array;
  firstRequestNs: BigInt64Array;
  lastRequestNs: BigInt64Array;
  /** −1 when the group was lost (its last page never got through the PRQ). */
  responseNs: BigInt64Array;
  code: Uint8Array;
}

export interface SimResult {
  events: SimEvents;
  groups: SimGroups;
  /** The replay that produced the timing, with its params. */
  replay: ReplaySummary;
}

function fraction(name: string, v: number): number {
  if (!(v >= 0 && v <= 1)) throw new ReplayConfigError(name, `must be in [0, 1], got ${v}`);
  return v;
}

export function simulate(options: SimulateOptions): SimResult {
  const preset = presetFor(options.preset ?? 'v6.9');
  const model = options.model ?? preset.model;
  const params = applyParamOverrides(options.params ?? preset.params, options.overrides ?? []);
  const invalid = fraction('invalidFraction', options.invalidFraction ?? 0);
  const failure = fraction('failureFraction', options.failureFraction ?? 0);
  if (invalid + failure > 1) throw new ReplayConfigError('failureFraction', 'invalidFraction + failureFraction must be ≤ 1');
  const cpus = options.cpus ?? 16;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 4096) throw new ReplayConfigError('cpus', `must be an integer in [1, 4096], got ${cpus}`);
  const startNs = options.startNs ?? 5_823_000_000_000n;
  if (startNs < 0n) throw new ReplayConfigError('startNs', 'must be ≥ 0');

  const traffic = generateTraffic(options);
  const input = traffic.input;
  const res = runReplay(input, model, params, options.seed, { requestDetail: true });
  const g = res.groups;
  const nI = input.iommus.length;
  const W = params.workers;

  // Threads: one PRQ IRQ thread per IOMMU (comm truncated to 15 characters like the
  // kernel's), and the unbound kworkers every IOMMU's faults share.
  const tasks: { comm: string; pid: number }[] = [];
  const taskCpu: number[] = [];
  for (let i = 0; i < nI; i++) {
    tasks.push({ comm: `irq/${56 + i}-dmar${i}-prq`.slice(0, 15), pid: 1042 + i });
    taskCpu.push((6 + i) % cpus);
  }
  for (let w = 0; w < W; w++) {
    tasks.push({ comm: `kworker/u${2 * cpus}:${w}`, pid: 2215 + w });
    taskCpu.push((11 + w) % cpus);
  }

  // Response codes are drawn from their own stream so they never perturb the replay's.
  const codeRng = new Rng(options.seed + 1);
  const groupCode = new Uint8Array(g.count);
  for (let k = 0; k < g.count; k++) {
    const u = codeRng.nextFloat();
    groupCode[k] = u < invalid ? 1 : u < invalid + failure ? 2 : 0;
  }

  // Collect (time, kind, index) for reported requests and answered groups, then order
  // them by time; ties: IOMMU, requests before responses, then index.
  const times: number[] = [];
  const refs: number[] = []; // request r as r, group k as −1 − k
  for (let r = 0; r < input.count; r++) {
    const t = res.requestReportNs![r]!;
    if (Number.isFinite(t)) {
      times.push(t);
      refs.push(r);
    }
  }
  for (let k = 0; k < g.count; k++) {
    const t = g.responseNs[k]!;
    if (Number.isFinite(t)) {
      times.push(t);
      refs.push(-1 - k);
    }
  }
  const iommuOf = (ref: number) => input.iommu[ref >= 0 ? ref : g.lastRequestIndex[-1 - ref]!]!;
  const order = Array.from(times.keys()).sort(
    (a, b) =>
      times[a]! - times[b]! ||
      iommuOf(refs[a]!) - iommuOf(refs[b]!) ||
      (refs[a]! >= 0 ? 0 : 1) - (refs[b]! >= 0 ? 0 : 1) ||
      Math.abs(refs[a]!) - Math.abs(refs[b]!),
  );

  const n = order.length;
  const ev: SimEvents = {
    count: n,
    tsNs: new BigInt64Array(n),
    kind: new Uint8Array(n),
    iommu: new Int32Array(n),
    iommus: input.iommus,
    device: new Int32Array(n),
    devices: input.devices,
    rid: new Int32Array(n),
    pasid: new Int32Array(n),
    prgi: new Int32Array(n),
    last: new Uint8Array(n),
    page: new Float64Array(n),
    perm: new Uint8Array(n),
    code: new Uint8Array(n),
    cpu: new Int32Array(n),
    seq: new Int32Array(n).fill(-1),
    task: new Int32Array(n),
    tasks,
    cpus,
  };
  const seqNext = new Int32Array(nI);
  const perm = input.perm!;
  for (let e = 0; e < n; e++) {
    const j = order[e]!;
    const ref = refs[j]!;
    ev.tsNs[e] = startNs + BigInt(times[j]!);
    if (ref >= 0) {
      const i = input.iommu[ref]!;
      ev.kind[e] = KIND_REQUEST;
      ev.iommu[e] = i;
      ev.device[e] = input.device[ref]!;
      ev.rid[e] = input.rid[ref]!;
      ev.pasid[e] = input.pasid[ref]!;
      ev.prgi[e] = input.prgi[ref]!;
      ev.last[e] = input.last[ref]!;
      ev.page[e] = traffic.page[ref]!;
      ev.perm[e] = perm[ref]!;
      ev.seq[e] = seqNext[i]!++;
      ev.task[e] = i;
    } else {
      const k = -1 - ref;
      const lastReq = g.lastRequestIndex[k]!;
      const i = input.iommu[lastReq]!;
      ev.kind[e] = KIND_RESPONSE;
      ev.iommu[e] = i;
      ev.device[e] = input.device[lastReq]!;
      ev.rid[e] = input.rid[lastReq]!;
      ev.pasid[e] = input.pasid[lastReq]!;
      ev.prgi[e] = input.prgi[lastReq]!;
      ev.code[e] = groupCode[k]!;
      ev.task[e] = nI + g.worker[k]!;
    }
    ev.cpu[e] = taskCpu[ev.task[e]!]!;
  }

  const column = (col: Int32Array) => Int32Array.from(g.lastRequestIndex, (r) => col[r]!);
  const groups: SimGroups = {
    count: g.count,
    iommu: column(input.iommu),
    device: column(input.device),
    pasid: column(input.pasid),
    prgi: column(input.prgi),
    pages: new Int32Array(g.count),
    firstRequestNs: new BigInt64Array(g.count).fill(-1n),
    lastRequestNs: new BigInt64Array(g.count).fill(-1n),
    responseNs: new BigInt64Array(g.count).fill(-1n),
    code: groupCode,
  };
  const first = new Float64Array(g.count).fill(Infinity);
  for (let r = 0; r < input.count; r++) {
    const k = res.requestGroup![r]!;
    const t = res.requestReportNs![r]!;
    if (k < 0 || !Number.isFinite(t)) continue;
    groups.pages[k]!++;
    if (t < first[k]!) first[k] = t;
  }
  for (let k = 0; k < g.count; k++) {
    if (Number.isFinite(first[k]!)) groups.firstRequestNs[k] = startNs + BigInt(first[k]!);
    if (Number.isFinite(g.reportNs[k]!)) groups.lastRequestNs[k] = startNs + BigInt(g.reportNs[k]!);
    if (Number.isFinite(g.responseNs[k]!)) groups.responseNs[k] = startNs + BigInt(g.responseNs[k]!);
  }
  return { events: ev, groups, replay: res.summary };
}
