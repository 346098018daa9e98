// Every knob of the replay in one flat record of named numbers and strings, with a spec per
// name (unit, range, meaning, which model reads it). The pages show the specs, the CLI
// applies `name=value` overrides through applyParamOverrides, and the record is saved with
// each run. Values are estimates unless a comment cites the reference; presets.ts fills
// them per kernel era.

import { ReplayConfigError } from '../core/errors.ts';
import { STRUCTURE_KINDS, type StructureKind } from './lookup/types.ts';
import type { ModelName } from './types.ts';

export type ServiceDist = 'fixed' | 'exponential' | 'lognormal' | 'mixture' | 'empirical';
export type RidLookup = 'svm-devs' | 'pci-bus' | 'rbtree';
export type WorkerLookup = 'sva-find' | 'domain' | 'none';

export interface ReplayParams {
  prqDepth: number;
  priCredits: number;
  irqLatencyNs: number;
  drainPerDescNs: number;
  headWriteNs: number;
  atsRetryNs: number;
  maxRetries: number;
  workers: number;
  wqWakeupNs: number;
  wqWakeupP99Ns: number;
  serviceDist: ServiceDist;
  serviceP50Ns: number;
  serviceP99Ns: number;
  serviceSlowFraction: number;
  serviceSlowP50Ns: number;
  serviceSlowP99Ns: number;
  qiLockNs: number;
  qiHwNs: number;
  qiWaitNs: number;
  qiIotlbNs: number;
  qiDevTlbNs: number;
  lockNs: number;
  xarrayVisitNs: number;
  listVisitNs: number;
  rbtreeVisitNs: number;
  hashVisitNs: number;
  ridLookup: RidLookup;
  pciDevices: number;
  probedDevicesPerIommu: number;
  structure: StructureKind;
  workerLookup: WorkerLookup;
  responseSvaLookup: number;
  iopfLock: number;
  reportStopMarkers: number;
  nestedFallback: number;
  iommufdDelivery: number;
  userspaceNs: number;
  attachmentWalk: number;
}

export type ParamName = keyof ReplayParams;

interface NumberSpec {
  type: 'int' | 'number';
  min: number;
  max: number;
  unit: string;
  doc: string;
  models: readonly ModelName[];
}

interface EnumSpec {
  type: 'enum';
  values: readonly string[];
  doc: string;
  models: readonly ModelName[];
}

export type ParamSpec = NumberSpec | EnumSpec;

const BOTH: readonly ModelName[] = ['per-device', 'domain-wide'];
const NS_MAX = 1e12;
const flag = (doc: string, models: readonly ModelName[] = BOTH): NumberSpec => ({ type: 'int', min: 0, max: 1, unit: 'flag', models, doc });
const ns = (doc: string, max = NS_MAX): NumberSpec => ({ type: 'number', min: 0, max, unit: 'ns', models: BOTH, doc });

export const PARAM_SPECS: Readonly<Record<ParamName, ParamSpec>> = {
  prqDepth: {
    type: 'int',
    min: 2,
    max: 1 << 20,
    unit: 'entries',
    models: BOTH,
    doc: 'Page request queue entries per IOMMU (128 ≤ v5.14, 512 v5.15–5.18, 2048 v5.19+). A head == tail ring holds depth − 1.',
  },
  priCredits: {
    type: 'int',
    min: 1,
    max: 1 << 20,
    unit: 'requests',
    models: BOTH,
    doc: 'Outstanding page request allocation of each device (pci_enable_pri): 32 up to v5.14, PRQ depth from v5.15. A request beyond it waits at the device until a response frees credits.',
  },
  irqLatencyNs: ns('From a descriptor landing in an idle PRQ to the drain thread running (MSI + threaded IRQ wake-up).'),
  drainPerDescNs: ns('Drain-thread cost per descriptor besides lookups (read, checks, report, allocation).'),
  headWriteNs: ns('PQH register write after each batch; PRQ slots are freed only then.'),
  atsRetryNs: ns('After the IOMMU auto-answers a dropped last-page request with Success, the device re-sends the whole group after this ATS round trip.'),
  maxRetries: {
    type: 'int',
    min: 0,
    max: 1000,
    unit: 'count',
    models: BOTH,
    doc: 'Whole-group re-sends after an auto-response before the group counts as lost.',
  },
  workers: {
    type: 'int',
    min: 1,
    max: 4096,
    unit: 'count',
    models: BOTH,
    doc: 'CPUs the unbound iopf workqueues get, shared by every IOMMU: fault handlers running at once.',
  },
  wqWakeupNs: ns('Median of queue_work → an idle kworker running the group (lognormal); a busy worker takes the next group without it.'),
  wqWakeupP99Ns: ns(
    '99th percentile of the workqueue wake-up (= wqWakeupNs: fixed; fixed at the median too under serviceDist=empirical, whose samples hold the spread).',
  ),
  serviceDist: {
    type: 'enum',
    values: ['fixed', 'exponential', 'lognormal', 'mixture', 'empirical'],
    models: BOTH,
    doc: 'Fault handling time per page (handle_mm_fault runs per page): fixed (= p50), exponential (median p50), lognormal (p50, p99), mixture (lognormal fast mode + slow lognormal tail of weight serviceSlowFraction), or empirical (per-group samples estimated from a trace).',
  },
  serviceP50Ns: ns('Median handling time of one page (the fast mode of a mixture).'),
  serviceP99Ns: ns("99th percentile of the per-page handling time (lognormal and the mixture's fast mode)."),
  serviceSlowFraction: {
    type: 'number',
    min: 0,
    max: 1,
    unit: 'fraction',
    models: BOTH,
    doc: 'Mixture only: share of pages drawn from the slow component (major faults, reclaim).',
  },
  serviceSlowP50Ns: ns('Mixture only: median of the slow component.'),
  serviceSlowP99Ns: ns('Mixture only: 99th percentile of the slow component.'),
  qiLockNs: ns('q_lock hold of one qi_submit_sync (descriptor + wait descriptor written, tail moved); serialised per IOMMU.'),
  qiHwNs: ns('Invalidation-queue hardware time of a page group response descriptor; descriptors are processed in order.'),
  qiWaitNs: ns('From the hardware finishing the descriptor to the submitter seeing the wait descriptor complete (pipelined, not exclusive).'),
  qiIotlbNs: ns('Hardware time of a recorded IOTLB / PASID / context invalidation on the same queue.'),
  qiDevTlbNs: ns("Hardware time of a recorded device-TLB invalidation (waits for the device's ATS invalidation completion)."),
  lockNs: ns('Uncontended spinlock / mutex acquire + release (iopf_lock, xa_lock).', 1e9),
  xarrayVisitNs: { type: 'number', min: 0, max: 1e9, unit: 'ns/visit', models: BOTH, doc: 'Cost of one xarray node hop.' },
  listVisitNs: { type: 'number', min: 0, max: 1e9, unit: 'ns/visit', models: BOTH, doc: 'Cost of one list entry compared.' },
  rbtreeVisitNs: { type: 'number', min: 0, max: 1e9, unit: 'ns/visit', models: BOTH, doc: 'Cost of one rb-tree node compared.' },
  hashVisitNs: { type: 'number', min: 0, max: 1e9, unit: 'ns/visit', models: BOTH, doc: 'Cost of one hash chain entry (hashing included).' },
  ridLookup: {
    type: 'enum',
    values: ['svm-devs', 'pci-bus', 'rbtree'],
    models: BOTH,
    doc: 'RID → device in the drain thread: svm-devs = PASID table + walk of the devices bound to the PASID, 1-entry caches cold at every drain invocation (v5.14–6.0); pci-bus = pci_get_domain_bus_and_slot walk (v6.1–6.8); rbtree = per-IOMMU device rbtree (v6.9+).',
  },
  pciDevices: {
    type: 'int',
    min: 1,
    max: 1 << 16,
    unit: 'count',
    models: BOTH,
    doc: 'PCI devices in the system, walked in bus order by ridLookup=pci-bus.',
  },
  probedDevicesPerIommu: {
    type: 'int',
    min: 1,
    max: 1 << 16,
    unit: 'count',
    models: BOTH,
    doc: "Devices in each IOMMU's device rbtree (ridLookup=rbtree) and DRHD device scope; the trace's devices are among them.",
  },
  structure: {
    type: 'enum',
    values: STRUCTURE_KINDS,
    models: BOTH,
    doc: "PASID lookup structure: per-device = the global PASID → mm table; domain-wide = each device group's pasid_array (PASID → domain). The kernel uses xarray.",
  },
  workerLookup: {
    type: 'enum',
    values: ['sva-find', 'domain', 'none'],
    models: ['per-device'],
    doc: 'Lookup in the fault worker: sva-find = iommu_sva_find per fault (≤ v6.1); domain = iommu_get_domain_for_dev_pasid once per group (v6.2–v6.8); none = done at report time (domain-wide).',
  },
  responseSvaLookup: flag(
    '1: the response takes the global pasid_mutex, looks the PASID and device up again and walks the DRHD scopes (device_to_iommu) before the QI submit (intel_svm_page_response, v5.14–6.0).',
    ['per-device'],
  ),
  iopfLock: flag('1: the drain thread takes iommu->iopf_lock around the device rbtree lookup of every descriptor (v6.9+).'),
  reportStopMarkers: flag('1: Stop Markers go through the drain thread\'s lookups and report (before v5.18 "Drop stop marker messages").'),
  nestedFallback: flag('1: every attach-handle lookup misses and falls back to a second lookup with IOMMU_NO_PASID (v6.11+ user-managed PASID tables).', [
    'domain-wide',
  ]),
  iommufdDelivery: flag(
    '1: faults go to user space through the iommufd fault fd (read → handler → write, cookie xarray) instead of handle_mm_fault (v6.11+).',
    ['domain-wide'],
  ),
  userspaceNs: ns('iommufd only: fault fd read → user-space handler → response write, per group.'),
  attachmentWalk: flag("1: each group also walks its domain's (device, PASID) attachments (dev_pasids-style per-domain work).", ['domain-wide']),
};

export const PARAM_NAMES = Object.keys(PARAM_SPECS) as ParamName[];

function checkValue(name: ParamName, value: unknown): void {
  const spec = PARAM_SPECS[name];
  if (spec.type === 'enum') {
    if (typeof value !== 'string' || !spec.values.includes(value)) {
      throw new ReplayConfigError(name, `must be one of ${spec.values.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ReplayConfigError(name, `must be a finite number, got ${JSON.stringify(value)}`);
  }
  if (spec.type === 'int' && !Number.isInteger(value)) {
    throw new ReplayConfigError(name, `must be an integer, got ${value}`);
  }
  if (value < spec.min || value > spec.max) {
    throw new ReplayConfigError(name, `must be in [${spec.min}, ${spec.max}] ${spec.unit}, got ${value}`);
  }
}

/** Throws ReplayConfigError unless params has exactly the known names with valid values. */
export function validateParams(params: ReplayParams): void {
  for (const name of PARAM_NAMES) {
    if (!Object.hasOwn(params, name)) throw new ReplayConfigError(name, 'missing');
    checkValue(name, params[name]);
  }
  for (const name of Object.keys(params)) {
    if (!Object.hasOwn(PARAM_SPECS, name)) throw new ReplayConfigError(name, `unknown parameter; known: ${PARAM_NAMES.join(', ')}`);
  }
  const logn = params.serviceDist === 'lognormal' || params.serviceDist === 'mixture';
  if (logn) checkLognormal('serviceP50Ns', 'serviceP99Ns', params.serviceP50Ns, params.serviceP99Ns);
  if (params.serviceDist === 'mixture') checkLognormal('serviceSlowP50Ns', 'serviceSlowP99Ns', params.serviceSlowP50Ns, params.serviceSlowP99Ns);
  if (params.wqWakeupP99Ns !== params.wqWakeupNs) checkLognormal('wqWakeupNs', 'wqWakeupP99Ns', params.wqWakeupNs, params.wqWakeupP99Ns);
}

function checkLognormal(p50Name: ParamName, p99Name: ParamName, p50: number, p99: number): void {
  if (p50 <= 0) throw new ReplayConfigError(p50Name, `must be > 0 for a lognormal, got ${p50}`);
  if (p99 < p50) throw new ReplayConfigError(p99Name, `must be ≥ ${p50Name} (${p50}) for a lognormal, got ${p99}`);
}

/**
 * Returns a copy of params with each `name=value` applied. Unknown names, malformed
 * entries and out-of-range values throw ReplayConfigError naming the parameter.
 */
export function applyParamOverrides(params: ReplayParams, overrides: readonly string[]): ReplayParams {
  const out: ReplayParams = { ...params };
  const record = out as unknown as Record<string, number | string>;
  for (const entry of overrides) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new ReplayConfigError(entry, 'expected name=value');
    const name = entry.slice(0, eq).trim();
    const text = entry.slice(eq + 1).trim();
    if (!Object.hasOwn(PARAM_SPECS, name)) {
      throw new ReplayConfigError(name, `unknown parameter; known: ${PARAM_NAMES.join(', ')}`);
    }
    const spec = PARAM_SPECS[name as ParamName];
    if (spec.type === 'enum') {
      checkValue(name as ParamName, text);
      record[name] = text;
    } else {
      // Number('') is 0 and Number('0x10') is 16: accept plain decimal notation only.
      if (!/^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text.replaceAll('_', ''))) {
        throw new ReplayConfigError(name, `expected a number, got ${JSON.stringify(text)}`);
      }
      const value = Number(text.replaceAll('_', ''));
      checkValue(name as ParamName, value);
      record[name] = value;
    }
  }
  validateParams(out);
  return out;
}
