// Parameter sets named after the kernel eras of reference/kernel-pri.md §2: which model,
// which PRQ depth (§2.5), which lookups (§2.1–2.4). Costs with no published figure are
// estimates, marked so below; the service time matches the one public PRQ latency
// distribution (§3: 97 % of faults in 1–10 µs, ~1.5 % over 100 µs, average 9 µs).
// Called by the CLI (`--preset`), the replay page and the sweep defaults.

import { ReplayConfigError } from '../core/errors.ts';
import type { ReplayParams } from './params.ts';
import type { ModelName } from './types.ts';

export type KernelEra = 'v5.14' | 'v5.17' | 'v6.1' | 'v6.9' | 'v6.11';
export const KERNEL_ERAS: readonly KernelEra[] = ['v5.14', 'v5.17', 'v6.1', 'v6.9', 'v6.11'];

export interface Preset {
  era: KernelEra;
  model: ModelName;
  params: ReplayParams;
  note: string;
}

/** Costs shared by every era. */
const COMMON = {
  // Estimate: no public figure for PRQ write + MSI + threaded-IRQ wake-up (§3).
  irqLatencyNs: 1500,
  // Estimate: a descriptor read, a few checks and a small allocation.
  drainPerDescNs: 150,
  // Estimate: one posted MMIO write.
  headWriteNs: 100,
  // Estimate: PCIe leaves the PRG response timeout to the device; 1 ms is a common order.
  retryTimeoutNs: 1_000_000,
  maxRetries: 16,
  // Estimate: CPUs the unbound iopf workqueue gets on a busy host.
  workers: 8,
  // Estimate: waking an idle unbound kworker.
  wqWakeupNs: 1000,
  serviceDist: 'lognormal',
  // Chosen so that wake-up + service gives a ~3.5 µs median and ~1 % over 120 µs (§3).
  serviceP50Ns: 2500,
  serviceP99Ns: 120_000,
  // §3: "QI submit + wait ~1–2 µs (from the invalidation rows)".
  qiSubmitNs: 1500,
  // Estimates: a warm pointer chase per node; hashing adds to the hash probe.
  xarrayVisitNs: 15,
  listVisitNs: 10,
  rbtreeVisitNs: 12,
  hashVisitNs: 20,
  pciDevices: 64,
  probedDevicesPerIommu: 16,
  structure: 'xarray',
  attachmentWalk: 0,
} as const satisfies Partial<ReplayParams>;

export const PRESETS: Readonly<Record<KernelEra, Preset>> = {
  'v5.14': {
    era: 'v5.14',
    model: 'per-device',
    params: { ...COMMON, prqDepth: 128, ridLookup: 'svm-devs', responseSvaLookup: 1 },
    note: 'Intel converted to io-pgfault; 4 KB PRQ (128); PASID xarray + svm->devs walk in the drain thread; response walks the device pending list, then looks PASID and device up again under pasid_mutex.',
  },
  'v5.17': {
    era: 'v5.17',
    model: 'per-device',
    params: { ...COMMON, prqDepth: 512, ridLookup: 'svm-devs', responseSvaLookup: 1 },
    note: 'As v5.14 with the 16 KB PRQ (512) of v5.15.',
  },
  'v6.1': {
    era: 'v6.1',
    model: 'per-device',
    params: { ...COMMON, prqDepth: 2048, ridLookup: 'pci-bus', responseSvaLookup: 0 },
    note: '64 KB PRQ (2048, v5.19); RID → device by pci_get_domain_bus_and_slot (walks every PCI device); PASID lookup per fault in the worker; response still walks the pending list but builds the descriptor in O(1).',
  },
  'v6.9': {
    era: 'v6.9',
    model: 'domain-wide',
    params: { ...COMMON, prqDepth: 2048, ridLookup: 'rbtree', responseSvaLookup: 0 },
    note: 'Domain lookup at report time in the group pasid_array (xarray), per-IOMMU device rbtree, iopf_group answered in O(1).',
  },
  'v6.11': {
    era: 'v6.11',
    model: 'domain-wide',
    params: { ...COMMON, prqDepth: 2048, ridLookup: 'rbtree', responseSvaLookup: 0 },
    note: 'Attach handles replace the domain pointer in the same pasid_array (same lookup cost); iommufd can deliver faults to user space, which the replay does not model.',
  },
};

/** The preset for an era name; ReplayConfigError for an unknown one. */
export function presetFor(era: string): Preset {
  const p = (PRESETS as Record<string, Preset | undefined>)[era];
  if (!p) throw new ReplayConfigError('preset', `unknown kernel era ${JSON.stringify(era)}; known: ${KERNEL_ERAS.join(', ')}`);
  return { ...p, params: { ...p.params } };
}

/** The era whose kernel introduced each model's design as the replay models it. */
export function defaultPresetForModel(model: ModelName): Preset {
  return presetFor(model === 'per-device' ? 'v5.17' : 'v6.9');
}
