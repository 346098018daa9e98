// Model 2, domain-wide handling as mainline built it (v6.9+, reference §2.3): the *core*
// converts the device's request — RID → device in a per-IOMMU rbtree (under iopf_lock),
// then at the last-page request the domain / attach handle of (device, PASID) in the
// group's pasid_array (params.structure, so the sweep can compare structures; v6.11's
// nested fallback looks up a second time). RID/PASID/index ride along with the iopf_group,
// so the response searches nothing — but it stays device-addressed (page_response is a
// device op). v6.11's iommufd delivery adds the cookie xarray.

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
  private readonly nested: boolean;
  private readonly iommufd: boolean;

  constructor(private readonly ctx: ModelContext) {
    this.rids = ctx.ridLookup();
    this.ledger = ctx.ledger;
    this.attachmentWalk = ctx.params.attachmentWalk === 1;
    this.nested = ctx.params.nestedFallback === 1;
    this.iommufd = ctx.params.iommufdDelivery === 1;
    this.tableNs = ctx.nsPerVisit(ctx.params.structure);
    this.device = ctx.view.prepared.device;
    this.pasid = ctx.view.pasid;
  }

  descriptorCost(r: number, g: number, isLast: boolean): number {
    let ns = this.rids.cost(r, g);
    if (isLast) {
      // get_domain_for_iopf / iommu_attach_handle_get: one lookup per group, at report time.
      ns += this.ledger.add(STAGE_PASID, g, this.ctx.domainTableVisits(r), this.tableNs);
      if (this.nested) {
        // find_fault_handler: miss on the PASID, retry with IOMMU_NO_PASID.
        const table = this.ctx.domainTable(this.device[r]!);
        table.find(0);
        ns += this.ledger.add(STAGE_PASID, g, table.lastVisits, this.tableNs);
      }
    }
    return ns;
  }

  resetCaches(i: number): void {
    this.rids.resetCaches(i);
  }

  reported(): void {
    // list_add of the iopf_group's pending_node: O(1), nothing searched.
  }

  groupStartCost(g: number, r: number): number {
    // iommufd: read() allocates a cookie, write() erases it (xarray keyed by cookie).
    const cookie = this.iommufd ? this.ledger.add(STAGE_PASID, g, 2, this.ctx.params.xarrayVisitNs) : 0;
    if (!this.attachmentWalk) return cookie;
    const attachments = this.ctx.devicesOfPasid(this.pasid[r]!).size;
    return cookie + this.ledger.add(STAGE_ATTACH, g, attachments, this.ctx.params.listVisitNs);
  }

  respond(): void {
    // iopf_group_response → page_response from the recorded fault: O(1).
    this.preLockNs = 0;
  }
}

export const domainWideModel: HandlingModel = {
  name: 'domain-wide',
  summary:
    'v6.9+: the core converts the request (device rbtree, domain / attach handle in the group pasid_array at report time); O(1) response, still device-addressed.',
  create: (ctx) => new DomainWideRuntime(ctx),
};
