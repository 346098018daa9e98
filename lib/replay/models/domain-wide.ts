// Model 2, domain-wide handling (the seed thread's proposal, ≈ Linux v6.9+, reference §2.3):
// RID → device in a per-IOMMU rbtree, then at the last-page request the domain of (device,
// PASID) in the group's pasid_array (params.structure, so the sweep can compare structures);
// RID/PASID/index ride along as private data, so the response searches nothing.

import type { ModelContext, RidLookup } from './context.ts';
import { STAGE_ATTACH, STAGE_PASID, type HandlingModel, type ModelRuntime, type VisitLedger } from './types.ts';

class DomainWideRuntime implements ModelRuntime {
  preLockNs = 0;
  lockedNs = 0;
  readonly globalResponseLock = false;
  private readonly rids: RidLookup;
  private readonly tableNs: number;
  private readonly device: Int32Array;
  private readonly pasid: Int32Array;
  private readonly ledger: VisitLedger;
  private readonly attachmentWalk: boolean;

  constructor(private readonly ctx: ModelContext) {
    this.rids = ctx.ridLookup();
    this.ledger = ctx.ledger;
    this.attachmentWalk = ctx.params.attachmentWalk === 1;
    this.tableNs = ctx.nsPerVisit(ctx.params.structure);
    this.device = ctx.view.prepared.device;
    this.pasid = ctx.view.pasid;
  }

  descriptorCost(r: number, g: number, isLast: boolean): number {
    let ns = this.rids.cost(r, g);
    if (isLast) {
      // get_domain_for_iopf / iommu_attach_handle_get: one lookup per group, at report time.
      const table = this.ctx.domainTable(this.device[r]!);
      table.find(this.pasid[r]!);
      ns += this.ledger.add(STAGE_PASID, g, table.lastVisits, this.tableNs);
    }
    return ns;
  }

  reported(): void {
    // list_add of the iopf_group's pending_node: O(1), nothing searched.
  }

  groupStartCost(g: number, r: number): number {
    if (!this.attachmentWalk) return 0;
    const attachments = this.ctx.devicesOfPasid(this.pasid[r]!).size;
    return this.ledger.add(STAGE_ATTACH, g, attachments, this.ctx.params.listVisitNs);
  }

  respond(): void {
    // iopf_group_response → page_response from the recorded fault: O(1).
    this.preLockNs = 0;
  }
}

export const domainWideModel: HandlingModel = {
  name: 'domain-wide',
  summary: 'v6.9+: device rbtree, domain lookup in the group pasid_array at report time, O(1) response from private data.',
  create: (ctx) => new DomainWideRuntime(ctx),
};
