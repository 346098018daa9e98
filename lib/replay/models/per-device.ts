// Model 1, per-device handling (≈ Linux v5.14–v5.17 Intel + io-pgfault, reference §2.2):
// PASID table + bound-device walk in the drain thread, PASID lookup per fault in the worker,
// and a response that walks the device's pending list (all its PASIDs) for the group — the
// cost that grows with outstanding groups. With responseSvaLookup the response repeats the
// lookups under the global pasid_mutex, serialising responses of every IOMMU.

import { LinkedList, type LookupStructure } from '../lookup/index.ts';
import type { ModelContext, RidLookup } from './context.ts';
import { STAGE_PASID, STAGE_PENDING, STAGE_RID, type HandlingModel, type ModelRuntime, type VisitLedger } from './types.ts';

class PerDeviceRuntime implements ModelRuntime {
  preLockNs = 0;
  lockedNs = 0;
  readonly globalResponseLock: boolean;
  private readonly rids: RidLookup;
  private readonly table: LookupStructure;
  private readonly tableNs: number;
  private readonly listNs: number;
  private readonly pending: LinkedList[];
  private readonly device: Int32Array;
  private readonly rid: Int32Array;
  private readonly pasid: Int32Array;
  private readonly ledger: VisitLedger;

  constructor(private readonly ctx: ModelContext) {
    const p = ctx.view.prepared;
    this.ledger = ctx.ledger;
    this.rids = ctx.ridLookup();
    this.table = ctx.pasidTable();
    this.tableNs = ctx.nsPerVisit(ctx.params.structure);
    this.listNs = ctx.params.listVisitNs;
    this.pending = p.devices.map(() => new LinkedList(64));
    this.globalResponseLock = ctx.params.responseSvaLookup === 1;
    this.device = p.device;
    this.rid = p.rid;
    this.pasid = ctx.view.pasid;
  }

  descriptorCost(r: number, g: number): number {
    return this.rids.cost(r, g);
  }

  reported(g: number, r: number): void {
    // iommu_report_device_fault: list_add_tail on fault_param->faults.
    this.pending[this.device[r]!]!.insert(g, g);
  }

  groupStartCost(g: number, r: number, faults: number): number {
    // iopf_handle_single → iommu_sva_find(pasid) for every fault of the group.
    this.table.find(this.pasid[r]!);
    return this.ledger.add(STAGE_PASID, g, this.table.lastVisits * faults, this.tableNs);
  }

  respond(g: number, r: number): void {
    // iommu_page_response: walk fault_param->faults from the oldest until the group matches.
    const list = this.pending[this.device[r]!]!;
    list.remove(g);
    this.preLockNs = this.ledger.add(STAGE_PENDING, g, list.lastVisits, this.listNs);
    if (!this.globalResponseLock) {
      this.lockedNs = 0;
      return;
    }
    // intel_svm_page_response: pasid_to_svm_sdev() = PASID table + svm->devs walk.
    const pasid = this.pasid[r]!;
    this.table.find(pasid);
    let ns = this.ledger.add(STAGE_PASID, g, this.table.lastVisits, this.tableNs);
    const devs = this.ctx.devicesOfPasid(pasid);
    devs.find(this.rid[r]!);
    ns += this.ledger.add(STAGE_RID, g, devs.lastVisits, this.listNs);
    this.lockedNs = ns;
  }
}

export const perDeviceModel: HandlingModel = {
  name: 'per-device',
  summary: 'v5.14–v5.17: PASID table + bound-device walk, faults on a per-device pending list that the response walks.',
  create: (ctx) => new PerDeviceRuntime(ctx),
};
