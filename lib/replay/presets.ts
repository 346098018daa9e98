// Parameter sets named after the kernel eras of reference/kernel-pri.md §2 and
// replay-physics.md §6: which model, which PRQ depth and PRI allocation, which lookups and
// locks. Every value carries its provenance (cited with its source, fitted from what, or an
// estimate), kept beside the value on the replay page, in saved runs and in the CLI JSON.
// Called by the CLI (`--preset`), the replay page, the simulator and the sweep defaults.

import { ReplayConfigError } from '../core/errors.ts';
import type { ParamName, ReplayParams } from './params.ts';
import type { ModelName } from './types.ts';

export type KernelEra = 'v5.14' | 'v5.17' | 'v6.1' | 'v6.6' | 'v6.9' | 'v6.11';
export const KERNEL_ERAS: readonly KernelEra[] = ['v5.14', 'v5.17', 'v6.1', 'v6.6', 'v6.9', 'v6.11'];

export type ProvenanceKind = 'cited' | 'fitted' | 'estimate';
export interface Provenance {
  kind: ProvenanceKind;
  /** Commit, spec section or document (cited); the data fitted to (fitted); the reasoning (estimate). */
  source: string;
}
export type ParamsProvenance = Record<ParamName, Provenance>;

export interface Preset {
  era: KernelEra;
  model: ModelName;
  params: ReplayParams;
  provenance: ParamsProvenance;
  note: string;
}

const cited = (source: string): Provenance => ({ kind: 'cited', source });
const fitted = (source: string): Provenance => ({ kind: 'fitted', source });
const estimate = (source: string): Provenance => ({ kind: 'estimate', source });

const SVM_PRQ =
  'QEMU docs/devel/migration/qpl-compression.rst svm_prq histogram (1–10 µs 97.1 %, 10–100 µs 1.4 %, 100 µs–1 ms 1.5 %, mean 9 µs, max 556 µs), replayed at low load (tests/replay/histogram.test.ts)';

/** Values and provenance shared by every era (era entries below override). */
const COMMON: {
  params: Omit<
    ReplayParams,
    'prqDepth' | 'priCredits' | 'ridLookup' | 'workerLookup' | 'responseSvaLookup' | 'iopfLock' | 'reportStopMarkers' | 'nestedFallback' | 'iommufdDelivery'
  >;
  provenance: Partial<ParamsProvenance>;
} = {
  params: {
    irqLatencyNs: 1500,
    drainPerDescNs: 150,
    headWriteNs: 100,
    atsRetryNs: 2000,
    maxRetries: 16,
    workers: 8,
    wqWakeupNs: 1000,
    wqWakeupP99Ns: 4000,
    serviceDist: 'mixture',
    serviceP50Ns: 1100,
    serviceP99Ns: 3000,
    serviceSlowFraction: 0.0078,
    serviceSlowP50Ns: 280_000,
    serviceSlowP99Ns: 650_000,
    qiLockNs: 150,
    qiHwNs: 300,
    qiWaitNs: 700,
    qiIotlbNs: 500,
    qiDevTlbNs: 2000,
    lockNs: 20,
    xarrayVisitNs: 15,
    listVisitNs: 10,
    rbtreeVisitNs: 12,
    hashVisitNs: 20,
    pciDevices: 64,
    probedDevicesPerIommu: 16,
    structure: 'xarray',
    userspaceNs: 20_000,
    attachmentWalk: 0,
  },
  provenance: {
    irqLatencyNs: estimate('no public figure for PRQ write + MSI + threaded-IRQ wake-up'),
    drainPerDescNs: estimate('a descriptor read, a few checks and a small allocation'),
    headWriteNs: estimate('one posted MMIO write'),
    atsRetryNs: estimate(
      'PCIe PRG response → ATS translation request → retried page request: a few µs (SMMUv3 §8.1, RISC-V IOMMU #199: the device retries after Success)',
    ),
    maxRetries: estimate('devices retry until they give up; the replay bounds it'),
    workers: estimate('CPUs the unbound iopf workqueue gets on a busy host (shared by every IOMMU)'),
    wqWakeupNs: fitted(`${SVM_PRQ}; Lu Baolu, "[PATCH v13 06/10] iommu: Add a page fault handler" (Mar 2021): most software latency is in the schedule part`),
    wqWakeupP99Ns: fitted(SVM_PRQ),
    serviceDist: fitted(`${SVM_PRQ}: a single lognormal cannot hold 97 % in one decade, a two-component mixture can`),
    serviceP50Ns: fitted(SVM_PRQ),
    serviceP99Ns: fitted(SVM_PRQ),
    serviceSlowFraction: fitted(SVM_PRQ),
    serviceSlowP50Ns: fitted(SVM_PRQ),
    serviceSlowP99Ns: fitted(SVM_PRQ),
    qiLockNs: estimate('qi_submit_sync drops q_lock while polling the wait descriptor (replay-physics.md §4): a few descriptor writes and a tail MMIO write'),
    qiHwNs: estimate('hardware fetch and processing of one posted page group response descriptor'),
    qiWaitNs: estimate("wait-descriptor status write + the submitter's poll; the invalidation rows give 1–2 µs for a whole submit (kernel-pri.md §3)"),
    qiIotlbNs: estimate('IOTLB/PASID-cache invalidation: sub-µs per descriptor (kernel-pri.md §3 invalidation rows)'),
    qiDevTlbNs: estimate("device-TLB invalidation waits for the device's ATS invalidation completion: µs"),
    lockNs: estimate('an uncontended spinlock or mutex on a warm line'),
    xarrayVisitNs: estimate('a warm pointer chase per xarray node'),
    listVisitNs: estimate('a warm list entry compare'),
    rbtreeVisitNs: estimate('a warm rb-tree node compare'),
    hashVisitNs: estimate('hashing plus one chain entry'),
    pciDevices: estimate("a mid-size server's PCI device count"),
    probedDevicesPerIommu: estimate('devices behind one DRHD on a mid-size server'),
    structure: cited('kernel-pri.md §2.4: the kernel keeps PASID tables in xarrays'),
    userspaceNs: estimate('iommufd fault fd read, a VMM handler and the response write'),
    attachmentWalk: estimate('hypothetical per-domain work; off in every era'),
  },
};

const PRQ_128 = cited('kernel-pri.md §2.5: PRQ_ORDER 0, 4 KB / 128 descriptors (≤ v5.14)');
const PRQ_512 = cited('kernel-pri.md §2.5: PRQ_ORDER 2, 16 KB / 512 (v5.15–v5.18)');
const PRQ_2048 = cited('ea661ad6e157 "iommu/vt-d: Size Page Request Queue to avoid overflow condition" (v5.19): 64 KB / 2048');
const CREDITS_32 = cited('pci_enable_pri(pdev, 32) up to v5.14 (replay-physics.md §3)');
const CREDITS_DEPTH = cited('Jacob Pan, "Allow devices to have more than 32 outstanding PRs" (v5.15): pci_enable_pri(pdev, PRQ_DEPTH)');
const SVM_DEVS = cited('v5.14 prq_event_thread: pasid_private_find + svm->devs walk with 1-entry caches (kernel-pri.md §2.2 steps 3–4)');
const PCI_BUS = cited(
  '"iommu/vt-d: Remove unnecessary SVA data accesses in page fault path" (Lu Baolu, Sep 2022, v6.1): pci_get_domain_bus_and_slot per descriptor',
);
const RBTREE = cited('def054b01a86 "iommu/vt-d: Use device rbtree in iopf reporting path" (v6.9)');
const SVA_FIND = cited('io-pgfault iopf_handle_single → iommu_sva_find per fault (kernel-pri.md §2.2 step 8)');
const DOMAIN_PER_GROUP = cited('"SVA and IOPF refactoring" (v6.2): iommu_get_domain_for_dev_pasid once per group in the worker (kernel-pri.md §2.2 notes)');
const AT_REPORT = cited('"iommu: Prepare to deliver page faults to user space" (v6.9): the domain is found at report time');
const PASID_MUTEX_ON = cited(
  'v5.14–v6.0 intel_svm_page_response: pasid_mutex + pasid_to_svm_sdev + device_to_iommu around qi_submit_sync (replay-physics.md §5)',
);
const PASID_MUTEX_OFF = cited('removed in v6.1 (Lu Baolu, Sep 2022)');
const IOPF_LOCK_ON = cited('v6.9 intel_prq_report: iommu->iopf_lock around device_rbtree_find (replay-physics.md §5)');
const IOPF_LOCK_OFF = cited('no iopf_lock before v6.9');
const STOP_ON = cited('Stop Markers reported before "iommu/vt-d: Drop stop marker messages" (v5.18)');
const STOP_OFF = cited('"iommu/vt-d: Drop stop marker messages" (v5.18)');
const NESTED_OFF = estimate('SVA domains hit on the first attach-handle lookup; 1 models user-managed PASID tables');
const IOMMUFD_OFF = estimate('SVA faults are handled in the kernel; 1 models iommufd delivery (v6.11+)');
const NOT_IN_ERA = (what: string): Provenance => cited(`not in this era: ${what}`);

interface EraSpec {
  model: ModelName;
  note: string;
  params: Pick<
    ReplayParams,
    'prqDepth' | 'priCredits' | 'ridLookup' | 'workerLookup' | 'responseSvaLookup' | 'iopfLock' | 'reportStopMarkers' | 'nestedFallback' | 'iommufdDelivery'
  >;
  provenance: Partial<ParamsProvenance>;
}

const ERAS: Record<KernelEra, EraSpec> = {
  'v5.14': {
    model: 'per-device',
    note: 'Intel converted to io-pgfault; 4 KB PRQ (128), 32 PRI credits per device; PASID xarray + svm->devs walk in the drain thread; iommu_sva_find per fault; the response walks the device pending list under fault_param->lock, then takes the global pasid_mutex across the QI submit.',
    params: {
      prqDepth: 128,
      priCredits: 32,
      ridLookup: 'svm-devs',
      workerLookup: 'sva-find',
      responseSvaLookup: 1,
      iopfLock: 0,
      reportStopMarkers: 1,
      nestedFallback: 0,
      iommufdDelivery: 0,
    },
    provenance: {
      prqDepth: PRQ_128,
      priCredits: CREDITS_32,
      ridLookup: SVM_DEVS,
      workerLookup: SVA_FIND,
      responseSvaLookup: PASID_MUTEX_ON,
      iopfLock: IOPF_LOCK_OFF,
      reportStopMarkers: STOP_ON,
    },
  },
  'v5.17': {
    model: 'per-device',
    note: 'As v5.14 with the 16 KB PRQ (512) and PRI allocation = PRQ depth of v5.15.',
    params: {
      prqDepth: 512,
      priCredits: 512,
      ridLookup: 'svm-devs',
      workerLookup: 'sva-find',
      responseSvaLookup: 1,
      iopfLock: 0,
      reportStopMarkers: 1,
      nestedFallback: 0,
      iommufdDelivery: 0,
    },
    provenance: {
      prqDepth: PRQ_512,
      priCredits: CREDITS_DEPTH,
      ridLookup: SVM_DEVS,
      workerLookup: SVA_FIND,
      responseSvaLookup: PASID_MUTEX_ON,
      iopfLock: IOPF_LOCK_OFF,
      reportStopMarkers: STOP_ON,
    },
  },
  'v6.1': {
    model: 'per-device',
    note: '64 KB PRQ (2048, v5.19); RID → device by pci_get_domain_bus_and_slot (walks every PCI device); iommu_sva_find per fault in the worker; the response still walks the pending list, no pasid_mutex.',
    params: {
      prqDepth: 2048,
      priCredits: 2048,
      ridLookup: 'pci-bus',
      workerLookup: 'sva-find',
      responseSvaLookup: 0,
      iopfLock: 0,
      reportStopMarkers: 0,
      nestedFallback: 0,
      iommufdDelivery: 0,
    },
    provenance: {
      prqDepth: PRQ_2048,
      priCredits: CREDITS_DEPTH,
      ridLookup: PCI_BUS,
      workerLookup: SVA_FIND,
      responseSvaLookup: PASID_MUTEX_OFF,
      iopfLock: IOPF_LOCK_OFF,
      reportStopMarkers: STOP_OFF,
    },
  },
  'v6.6': {
    model: 'per-device',
    note: 'v6.2–v6.8 (incl. LTS 6.6): as v6.1, but the worker finds the domain once per group with iommu_get_domain_for_dev_pasid (group pasid_array); the response walks the pending list.',
    params: {
      prqDepth: 2048,
      priCredits: 2048,
      ridLookup: 'pci-bus',
      workerLookup: 'domain',
      responseSvaLookup: 0,
      iopfLock: 0,
      reportStopMarkers: 0,
      nestedFallback: 0,
      iommufdDelivery: 0,
    },
    provenance: {
      prqDepth: PRQ_2048,
      priCredits: CREDITS_DEPTH,
      ridLookup: PCI_BUS,
      workerLookup: DOMAIN_PER_GROUP,
      responseSvaLookup: PASID_MUTEX_OFF,
      iopfLock: IOPF_LOCK_OFF,
      reportStopMarkers: STOP_OFF,
    },
  },
  'v6.9': {
    model: 'domain-wide',
    note: 'The core converts the request: device rbtree under iopf_lock, domain lookup at report time in the group pasid_array, iopf_group answered in O(1) — the response is still device-addressed (page_response stays a device op).',
    params: {
      prqDepth: 2048,
      priCredits: 2048,
      ridLookup: 'rbtree',
      workerLookup: 'none',
      responseSvaLookup: 0,
      iopfLock: 1,
      reportStopMarkers: 0,
      nestedFallback: 0,
      iommufdDelivery: 0,
    },
    provenance: {
      prqDepth: PRQ_2048,
      priCredits: CREDITS_DEPTH,
      ridLookup: RBTREE,
      workerLookup: AT_REPORT,
      responseSvaLookup: NOT_IN_ERA('pasid_mutex'),
      iopfLock: IOPF_LOCK_ON,
      reportStopMarkers: STOP_OFF,
    },
  },
  'v6.11': {
    model: 'domain-wide',
    note: 'As v6.9 with attach handles (iommu_attach_handle_get; nested PASID tables fall back to a second lookup with IOMMU_NO_PASID, nestedFallback) and optional iommufd delivery to user space (iommufdDelivery, userspaceNs).',
    params: {
      prqDepth: 2048,
      priCredits: 2048,
      ridLookup: 'rbtree',
      workerLookup: 'none',
      responseSvaLookup: 0,
      iopfLock: 1,
      reportStopMarkers: 0,
      nestedFallback: 0,
      iommufdDelivery: 0,
    },
    provenance: {
      prqDepth: PRQ_2048,
      priCredits: CREDITS_DEPTH,
      ridLookup: RBTREE,
      workerLookup: AT_REPORT,
      responseSvaLookup: NOT_IN_ERA('pasid_mutex'),
      iopfLock: IOPF_LOCK_ON,
      reportStopMarkers: STOP_OFF,
    },
  },
};

function buildPreset(era: KernelEra): Preset {
  const e = ERAS[era];
  const provenance = {
    ...COMMON.provenance,
    nestedFallback: NESTED_OFF,
    iommufdDelivery: IOMMUFD_OFF,
    ...e.provenance,
  } as ParamsProvenance;
  return { era, model: e.model, params: { ...COMMON.params, ...e.params }, provenance, note: e.note };
}

export const PRESETS: Readonly<Record<KernelEra, Preset>> = Object.fromEntries(KERNEL_ERAS.map((e) => [e, buildPreset(e)])) as Record<KernelEra, Preset>;

/** The preset for an era name; ReplayConfigError for an unknown one. */
export function presetFor(era: string): Preset {
  const p = Object.hasOwn(PRESETS, era) ? PRESETS[era as KernelEra] : undefined;
  if (!p) throw new ReplayConfigError('preset', `unknown kernel era ${JSON.stringify(era)}; known: ${KERNEL_ERAS.join(', ')}`);
  return { ...p, params: { ...p.params }, provenance: { ...p.provenance } };
}

/** The era whose kernel introduced each model's design as the replay models it. */
export function defaultPresetForModel(model: ModelName): Preset {
  return presetFor(model === 'per-device' ? 'v5.17' : 'v6.9');
}

/**
 * Provenance of params as run: the preset's, except that every parameter an override
 * changed says so (a user's value is neither cited nor fitted).
 */
export function provenanceOf(preset: Preset, params: ReplayParams): ParamsProvenance {
  const out = { ...preset.provenance };
  for (const name of Object.keys(params) as ParamName[]) {
    if (params[name] !== preset.params[name])
      out[name] = { kind: 'estimate', source: `set by the user (preset ${preset.era} has ${String(preset.params[name])})` };
  }
  return out;
}
