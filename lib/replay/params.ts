// Every knob of the replay in one flat record of named numbers and strings, with a spec per
// name (unit, range, meaning, which model reads it). The pages show the specs, the CLI
// applies `name=value` overrides through applyParamOverrides, and the record is saved with
// each run. Values are estimates unless a comment cites the reference; presets.ts fills
// them per kernel era.

import { ReplayConfigError } from '../core/errors.ts';
import { STRUCTURE_KINDS, type StructureKind } from './lookup/types.ts';
import type { ModelName } from './types.ts';

export type ServiceDist = 'fixed' | 'exponential' | 'lognormal' | 'empirical';
export type RidLookup = 'svm-devs' | 'pci-bus' | 'rbtree';

export interface ReplayParams {
  prqDepth: number;
  irqLatencyNs: number;
  drainPerDescNs: number;
  headWriteNs: number;
  retryTimeoutNs: number;
  maxRetries: number;
  workers: number;
  wqWakeupNs: number;
  serviceDist: ServiceDist;
  serviceP50Ns: number;
  serviceP99Ns: number;
  qiSubmitNs: number;
  xarrayVisitNs: number;
  listVisitNs: number;
  rbtreeVisitNs: number;
  hashVisitNs: number;
  ridLookup: RidLookup;
  pciDevices: number;
  probedDevicesPerIommu: number;
  structure: StructureKind;
  responseSvaLookup: number;
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

export const PARAM_SPECS: Readonly<Record<ParamName, ParamSpec>> = {
  prqDepth: {
    type: 'int', min: 2, max: 1 << 20, unit: 'entries', models: BOTH,
    doc: 'Page request queue entries per IOMMU (128 ≤ v5.14, 512 v5.15–5.18, 2048 v5.19+). A head == tail ring holds depth − 1.',
  },
  irqLatencyNs: {
    type: 'number', min: 0, max: NS_MAX, unit: 'ns', models: BOTH,
    doc: 'From a descriptor landing in an idle PRQ to the drain thread running (MSI + threaded IRQ wake-up).',
  },
  drainPerDescNs: {
    type: 'number', min: 0, max: NS_MAX, unit: 'ns', models: BOTH,
    doc: 'Drain-thread cost per descriptor besides lookups (read, checks, report, allocation).',
  },
  headWriteNs: {
    type: 'number', min: 0, max: NS_MAX, unit: 'ns', models: BOTH,
    doc: 'PQH register write after each batch; PRQ slots are freed only then.',
  },
  retryTimeoutNs: {
    type: 'number', min: 0, max: NS_MAX, unit: 'ns', models: BOTH,
    doc: 'A device whose last-page request was lost to a full PRQ sends it again after this long.',
  },
  maxRetries: {
    type: 'int', min: 0, max: 1000, unit: 'count', models: BOTH,
    doc: 'Re-sends of a lost last-page request before the group counts as lost.',
  },
  workers: {
    type: 'int', min: 1, max: 4096, unit: 'count', models: BOTH,
    doc: 'Fault handlers running at once per IOMMU (the iopf workqueue is unbound and unordered).',
  },
  wqWakeupNs: {
    type: 'number', min: 0, max: NS_MAX, unit: 'ns', models: BOTH,
    doc: 'queue_work to an idle kworker running the group; a busy worker takes the next group without it.',
  },
  serviceDist: {
    type: 'enum', values: ['fixed', 'exponential', 'lognormal', 'empirical'], models: BOTH,
    doc: 'Fault handling time per group: fixed (= p50), exponential (median p50), lognormal (p50, p99), or empirical (samples estimated from a trace).',
  },
  serviceP50Ns: {
    type: 'number', min: 0, max: NS_MAX, unit: 'ns', models: BOTH,
    doc: 'Median fault handling time (handle_mm_fault and friends).',
  },
  serviceP99Ns: {
    type: 'number', min: 0, max: NS_MAX, unit: 'ns', models: BOTH,
    doc: '99th percentile of the fault handling time (lognormal only).',
  },
  qiSubmitNs: {
    type: 'number', min: 0, max: NS_MAX, unit: 'ns', models: BOTH,
    doc: 'qi_submit_sync of the page group response plus its wait descriptor; serialised per IOMMU.',
  },
  xarrayVisitNs: { type: 'number', min: 0, max: 1e9, unit: 'ns/visit', models: BOTH, doc: 'Cost of one xarray node hop.' },
  listVisitNs: { type: 'number', min: 0, max: 1e9, unit: 'ns/visit', models: BOTH, doc: 'Cost of one list entry compared.' },
  rbtreeVisitNs: { type: 'number', min: 0, max: 1e9, unit: 'ns/visit', models: BOTH, doc: 'Cost of one rb-tree node compared.' },
  hashVisitNs: { type: 'number', min: 0, max: 1e9, unit: 'ns/visit', models: BOTH, doc: 'Cost of one hash chain entry (hashing included).' },
  ridLookup: {
    type: 'enum', values: ['svm-devs', 'pci-bus', 'rbtree'], models: BOTH,
    doc: 'RID → device in the drain thread: svm-devs = PASID table + walk of the devices bound to the PASID, 1-entry caches (v5.14–6.0); pci-bus = pci_get_domain_bus_and_slot walk (v6.1–6.8); rbtree = per-IOMMU device rbtree (v6.9+).',
  },
  pciDevices: {
    type: 'int', min: 1, max: 1 << 16, unit: 'count', models: BOTH,
    doc: 'PCI devices in the system, walked in bus order by ridLookup=pci-bus.',
  },
  probedDevicesPerIommu: {
    type: 'int', min: 1, max: 1 << 16, unit: 'count', models: BOTH,
    doc: 'Devices in each IOMMU\'s device rbtree (ridLookup=rbtree); the trace\'s devices are among them.',
  },
  structure: {
    type: 'enum', values: STRUCTURE_KINDS, models: BOTH,
    doc: 'PASID lookup structure: per-device = the global PASID → mm table; domain-wide = each device group\'s pasid_array (PASID → domain). The kernel uses xarray.',
  },
  responseSvaLookup: {
    type: 'int', min: 0, max: 1, unit: 'flag', models: ['per-device'],
    doc: '1: the response looks the PASID and device up again under the global pasid_mutex (intel_svm_page_response, v5.14–6.0).',
  },
  attachmentWalk: {
    type: 'int', min: 0, max: 1, unit: 'flag', models: ['domain-wide'],
    doc: '1: each group also walks its domain\'s (device, PASID) attachments (dev_pasids-style per-domain work).',
  },
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
    if (!(name in params)) throw new ReplayConfigError(name, 'missing');
    checkValue(name, params[name]);
  }
  for (const name of Object.keys(params)) {
    if (!(name in PARAM_SPECS)) throw new ReplayConfigError(name, 'unknown parameter');
  }
  if (params.serviceDist === 'lognormal' && params.serviceP99Ns < params.serviceP50Ns) {
    throw new ReplayConfigError('serviceP99Ns', `must be ≥ serviceP50Ns (${params.serviceP50Ns}) for a lognormal`);
  }
  if (params.serviceDist === 'lognormal' && params.serviceP50Ns <= 0) {
    throw new ReplayConfigError('serviceP50Ns', 'must be > 0 for a lognormal');
  }
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
    if (!(name in PARAM_SPECS)) {
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
