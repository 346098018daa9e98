// Model 1, per-device handling (Linux v5.14–v6.8 Intel + io-pgfault, reference §2.2):
// the drain thread's RID lookup per era, the worker's PASID lookup (per fault up to v6.1,
// the domain once per group in v6.2–v6.8), and a response that walks the device's pending
// list (all its PASIDs) for the group — the cost that grows with outstanding groups. With
// responseSvaLookup (≤ v6.0) the response repeats the lookups and walks the DRHD scopes
// (device_to_iommu) under the global pasid_mutex, serialising responses of every IOMMU.

import type { ModelContext, RidLookup } from './context.ts';
import { PendingFaults } from './pending-faults.ts';
import { STAGE_PASID, STAGE_PENDING, STAGE_RID, type HandlingModel, type ModelRuntime, type VisitLedger } from './types.ts';

class PerDeviceRuntime implements ModelRuntime {
  preLockNs = 0;
  lockedNs = 0;
  readonly globalResponseLock: boolean;
  private readonly rids: RidLookup;
  private readonly tableNs: number;
  private readonly listNs: number;
  private readonly pending: PendingFaults;
  private readonly device: Int32Array;
  private readonly iommu: Int32Array;
  private readonly scopeHalf: number;
  private readonly pasid: Int32Array;
  private readonly ledger: VisitLedger;

  constructor(private readonly ctx: ModelContext) {
    const p = ctx.view.prepared;
    this.ledger = ctx.ledger;
    this.rids = ctx.ridLookup();
    this.tableNs = ctx.nsPerVisit(ctx.params.structure);
    this.listNs = ctx.params.listVisitNs;
    this.pending = new PendingFaults(p.devices.length, ctx.view.groupCount);
    this.globalResponseLock = ctx.params.responseSvaLookup === 1;
    this.device = p.device;
    this.iommu = p.iommu;
    this.scopeHalf = Math.ceil(ctx.params.probedDevicesPerIommu / 2);
    this.pasid = ctx.view.pasid;
  }

  descriptorCost(r: number, g: number): number {
    return this.rids.cost(r, g);
  }

  resetCaches(i: number): void {
    this.rids.resetCaches(i);
  }

  reported(g: number, r: number): void {
    // iommu_report_device_fault: list_add_tail on fault_param->faults.
    this.pending.insert(this.device[r]!, g);
  }

  groupStartCost(g: number, r: number, faults: number): number {
    const wl = this.ctx.params.workerLookup;
    if (wl === 'sva-find') {
      // iopf_handle_single → iommu_sva_find(pasid) for every fault of the group.
      return this.ledger.add(STAGE_PASID, g, this.ctx.pasidTableVisits(this.pasid[r]!) * faults, this.tableNs);
    }
    if (wl === 'domain') {
      // v6.2–v6.8: iommu_get_domain_for_dev_pasid once per group, under xa_lock.
      return this.ledger.add(STAGE_PASID, g, this.ctx.domainTableVisits(r), this.tableNs) + this.ctx.params.lockNs;
    }
    return 0;
  }

  respond(g: number, r: number): void {
    // iommu_page_response: walk fault_param->faults from the oldest until the group matches.
    const ledger = this.ledger;
    const pending = this.pending;
    pending.remove(this.device[r]!, g);
    let visits = pending.lastVisits;
    this.preLockNs = ledger.addStage(STAGE_PENDING, visits, this.listNs);
    if (!this.globalResponseLock) {
      ledger.addGroup(g, visits, this.preLockNs);
      this.lockedNs = 0;
      return;
    }
    // intel_svm_page_response: pasid_to_svm_sdev() = PASID table + svm->devs walk.
    const pasid = this.pasid[r]!;
    const tableVisits = this.ctx.pasidTableVisits(pasid);
    visits += tableVisits;
    let ns = ledger.addStage(STAGE_PASID, tableVisits, this.tableNs);
    const devVisits = this.ctx.deviceListVisits(r);
    visits += devVisits;
    ns += ledger.addStage(STAGE_RID, devVisits, this.listNs);
    // device_to_iommu(): DRHD units in order, then the device scope of the matching one.
    const drhd = this.iommu[r]! + 1 + this.scopeHalf;
    visits += drhd;
    ns += ledger.addStage(STAGE_RID, drhd, this.listNs);
    ledger.addGroup(g, visits, this.preLockNs + ns);
    this.lockedNs = ns + this.ctx.params.lockNs;
  }
}

export const perDeviceModel: HandlingModel = {
  name: 'per-device',
  summary:
    'v5.14–v6.8: per-era RID/PASID lookups, faults on a per-device pending list that the response walks under fault_param->lock (and pasid_mutex up to v6.0).',
  create: (ctx) => new PerDeviceRuntime(ctx),
};
