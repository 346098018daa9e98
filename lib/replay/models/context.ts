// Builds on demand the kernel structures the models look things up in (global PASID table,
// per-group PASID tables, devices bound to a PASID, PCI bus list, per-IOMMU device rbtree)
// from the input's flows or the sweep's shared PASIDs, and runs the RID → device lookup both
// models share. Filler devices get RIDs so bus walks have the real length and order.

import { buildStructure, LinkedList, RbTree, type LookupStructure, type StructureKind } from '../lookup/index.ts';
import type { ReplayParams } from '../params.ts';
import type { PreparedInput } from '../prepare.ts';
import { scratchI32 } from '../scratch.ts';
import { STAGE_PASID, STAGE_RID, VisitLedger, type ReplayView } from './types.ts';

export class ModelContext {
  readonly deviceRid: Int32Array;
  private pasidTableCache: LookupStructure | null = null;
  private pasidVisits: Int32Array | null = null;
  private domainTables: (LookupStructure | null)[] | null = null;
  /** svm->devs per PASID: indexed by PASID (they are 20-bit; the array is only as long as
   *  the largest one in use), since a Map lookup per descriptor showed in profiles. */
  private devicesByPasid: (LinkedList | undefined)[] | null = null;
  private sharedDevices: LinkedList | null = null;
  private sharedListVisits: Int32Array | null = null;
  private flowListRid: Int32Array | null = null;
  private flowListVisits: Int32Array | null = null;
  private flowDomainVisits: Int32Array | null = null;

  constructor(
    readonly view: ReplayView,
    readonly params: ReplayParams,
    readonly ledger: VisitLedger,
  ) {
    const p = view.prepared;
    this.deviceRid = new Int32Array(p.devices.length).fill(-1);
    for (let f = 0; f < p.flowCount; f++) {
      const d = p.flowDevice[f]!;
      if (this.deviceRid[d] === -1) this.deviceRid[d] = p.flowRid[f]!;
    }
  }

  nsPerVisit(kind: StructureKind): number {
    const p = this.params;
    return kind === 'xarray' ? p.xarrayVisitNs : kind === 'list' ? p.listVisitNs : kind === 'rbtree' ? p.rbtreeVisitNs : p.hashVisitNs;
  }

  /** PASIDs in order of first use, of one device (or all with device −1). A sweep's shared
   *  PASIDs come in allocation order instead. The tables hold every PASID of the input even
   *  when a view replays a prefix: the kernel keeps a PASID bound whether it faults or not. */
  private livePasids(device: number): Int32Array {
    const { view } = this;
    if (view.shared) return view.shared.pasids;
    const p = view.prepared;
    const seen = new Set<number>();
    for (let f = 0; f < p.flowCount; f++) if (device < 0 || p.flowDevice[f] === device) seen.add(p.flowPasid[f]!);
    return Int32Array.from(seen);
  }

  private structureOf(pasids: Int32Array): LookupStructure {
    const kind = this.params.structure;
    const shared = this.view.shared;
    if (shared) {
      let s = shared.structures.get(kind);
      if (!s) {
        s = buildStructure(kind, shared.pasids, ordinals(shared.pasids.length));
        shared.structures.set(kind, s);
      }
      return s;
    }
    return buildStructure(kind, pasids, ordinals(pasids.length));
  }

  /** The global PASID → mm table (ioasid / pasid_private_array), of kind params.structure. */
  pasidTable(): LookupStructure {
    this.pasidTableCache ??= this.structureOf(this.livePasids(-1));
    return this.pasidTableCache;
  }

  /**
   * Entries pasidTable() compares to find `pasid`. The table does not change during a
   * replay, so each PASID's search is counted once and then read (visits + 1, 0: not yet) —
   * except in a sweep, whose sparse PASIDs reach 2^20: clearing a 4 MB memo per replay
   * cost about what it saved.
   */
  pasidTableVisits(pasid: number): number {
    if (!this.pasidVisits) this.pasidVisits = scratchI32('context.pasidVisits', this.view.shared ? 0 : maxFlowPasid(this.view.prepared) + 1);
    const memo = this.pasidVisits;
    if (memo.length === 0) {
      const table = this.pasidTable();
      table.find(pasid);
      return table.lastVisits;
    }
    if (memo[pasid] === 0) {
      const table = this.pasidTable();
      table.find(pasid);
      memo[pasid] = table.lastVisits + 1;
    }
    return memo[pasid]! - 1;
  }

  /** Device group d's pasid_array (PASID → domain), of kind params.structure. */
  domainTable(d: number): LookupStructure {
    if (!this.domainTables) this.domainTables = new Array<LookupStructure | null>(this.view.prepared.devices.length).fill(null);
    let t = this.domainTables[d];
    if (!t) {
      // Every device holds the same shared PASIDs in a sweep: one read-only instance serves all.
      t = this.view.shared ? this.pasidTable() : this.structureOf(this.livePasids(d));
      this.domainTables[d] = t;
    }
    return t;
  }

  /**
   * Entries domainTable() of request r's device compares to find r's PASID. The tables do not
   * change during a replay, so each flow's search is counted once and then read (visits + 1,
   * 0: not yet); a search per group was ~5 % of a v6.9 replay. In a sweep, whose requests
   * carry remapped PASIDs, each is searched.
   */
  domainTableVisits(r: number): number {
    const p = this.view.prepared;
    const f = this.view.shared ? -1 : p.reqFlow[r]!;
    if (f < 0) {
      const table = this.domainTable(p.device[r]!);
      table.find(this.view.pasid[r]!);
      return table.lastVisits;
    }
    const memo = (this.flowDomainVisits ??= scratchI32('context.flowDomainVisits', p.flowCount));
    if (memo[f] === 0) {
      const table = this.domainTable(p.device[r]!);
      table.find(this.view.pasid[r]!);
      memo[f] = table.lastVisits + 1;
    }
    return memo[f]! - 1;
  }

  /** svm->devs: RIDs of the devices bound to a PASID, newest bind first (list_add_rcu). */
  devicesOfPasid(pasid: number): LinkedList {
    if (this.view.shared) {
      if (!this.sharedDevices) {
        this.sharedDevices = new LinkedList(this.deviceRid.length);
        for (let d = 0; d < this.deviceRid.length; d++) {
          if (this.deviceRid[d]! >= 0) this.sharedDevices.insertFirst(this.deviceRid[d]!, d);
        }
      }
      return this.sharedDevices;
    }
    if (!this.devicesByPasid) {
      const p = this.view.prepared;
      let maxPasid = 0;
      for (let f = 0; f < p.flowCount; f++) maxPasid = Math.max(maxPasid, p.flowPasid[f]!);
      const byPasid = new Array<LinkedList | undefined>(maxPasid + 1).fill(undefined);
      const bound = new Set<number>();
      for (let f = 0; f < p.flowCount; f++) {
        const pa = p.flowPasid[f]!;
        const d = p.flowDevice[f]!;
        const key = pa * 65536 + d;
        if (bound.has(key)) continue;
        bound.add(key);
        let list = byPasid[pa];
        if (!list) byPasid[pa] = list = new LinkedList(4);
        list.insertFirst(this.deviceRid[d]!, d);
      }
      this.devicesByPasid = byPasid;
    }
    return this.devicesByPasid[pasid] ?? EMPTY_LIST;
  }

  /**
   * Entries of svm->devs compared to find request r's RID among its PASID's devices. The
   * lists do not change during a replay, so each flow's walk is counted once and then read
   * (kept with the RID it was walked for); in a sweep every PASID shares one list, so the
   * memo is per RID. Stop Markers have no flow: walked each time.
   */
  deviceListVisits(r: number): number {
    const p = this.view.prepared;
    const rid = p.rid[r]!;
    if (this.view.shared) {
      const memo = (this.sharedListVisits ??= scratchI32('context.sharedListVisits', 65536));
      if (memo[rid] === 0) {
        const devs = this.devicesOfPasid(0);
        devs.find(rid);
        memo[rid] = devs.lastVisits + 1;
      }
      return memo[rid]! - 1;
    }
    const f = p.reqFlow[r]!;
    if (!this.flowListRid) {
      this.flowListRid = scratchI32('context.flowListRid', p.flowCount).fill(-1);
      this.flowListVisits = scratchI32('context.flowListVisits', p.flowCount);
    }
    if (f >= 0 && this.flowListRid[f] === rid) return this.flowListVisits![f]!;
    const devs = this.devicesOfPasid(this.view.pasid[r]!);
    devs.find(rid);
    if (f >= 0) {
      this.flowListRid[f] = rid;
      this.flowListVisits![f] = devs.lastVisits;
    }
    return devs.lastVisits;
  }

  /** RIDs in use plus fillers up to `total`, the fillers taking the lowest free RIDs on a
   *  devfn-step grid, as bus 0 devices enumerate first. Sorted: bus order. */
  private ridsWithFillers(rids: Iterable<number>, total: number): Int32Array {
    const used = new Set(rids);
    const out = [...used];
    for (let rid = 0; out.length < total && rid <= 0xffff; rid += 8) if (!used.has(rid)) out.push(rid);
    return Int32Array.from(out).sort();
  }

  /** The PCI bus list walked by pci_get_domain_bus_and_slot (v6.1–6.8). */
  pciBus(): LinkedList {
    const rids = this.ridsWithFillers(
      this.deviceRid.filter((r) => r >= 0),
      this.params.pciDevices,
    );
    const list = new LinkedList(rids.length);
    rids.forEach((rid, k) => list.insert(rid, k));
    return list;
  }

  /** The device rbtree of IOMMU i (v6.9+): its probed devices, keyed by RID. */
  deviceTree(i: number): RbTree {
    const p = this.view.prepared;
    const rids = new Set<number>();
    for (let f = 0; f < p.flowCount; f++) if (p.flowIommu[f] === i) rids.add(p.flowRid[f]!);
    const keys = this.ridsWithFillers(rids, this.params.probedDevicesPerIommu);
    return RbTree.buildFromSorted(keys, ordinals(keys.length));
  }

  ridLookup(): RidLookup {
    return new RidLookup(this);
  }
}

const EMPTY_LIST = new LinkedList(1);

function maxFlowPasid(p: PreparedInput): number {
  let max = 0;
  for (let f = 0; f < p.flowCount; f++) max = Math.max(max, p.flowPasid[f]!);
  return max;
}

function ordinals(n: number): Int32Array {
  const v = new Int32Array(n);
  for (let i = 0; i < n; i++) v[i] = i;
  return v;
}

/**
 * RID → device in the drain thread, per params.ridLookup. svm-devs keeps the kernel's two
 * 1-entry caches (v5.14 prq_event_thread): the PASID table is searched only when the PASID
 * differs from the previous descriptor's, the device list only when the PASID or RID does.
 */
const RID_SVM_DEVS = 0;
const RID_PCI_BUS = 1;
const RID_RBTREE = 2;

export class RidLookup {
  /** params.ridLookup as a small integer: compared once per descriptor. */
  private readonly kind: number;
  private readonly lastPasid: Int32Array;
  private readonly lastRid: Int32Array;
  private readonly trees: RbTree[] = [];
  private bus: LinkedList | null = null;
  /** Visits + 1 of each RID's walk (0: not walked yet), at i · 2^16 + RID for IOMMU i's
   *  rbtree, at RID for the bus. Neither structure changes during a replay, so a RID's walk
   *  counts the same visits every time: walked once, then read (the walk per descriptor,
   *  its branches unpredictable, was a visible part of every v6.1+ replay). */
  private readonly ridVisits: Int32Array;
  private readonly listNs: number;
  private readonly treeNs: number;
  private readonly tableNs: number;
  private readonly rid: Int32Array;
  private readonly iommu: Int32Array;
  private readonly pasid: Int32Array;
  private readonly ledger: VisitLedger;

  constructor(private readonly ctx: ModelContext) {
    const n = ctx.view.prepared.iommus.length;
    this.rid = ctx.view.prepared.rid;
    this.iommu = ctx.view.prepared.iommu;
    this.pasid = ctx.view.pasid;
    this.ledger = ctx.ledger;
    const kind = ctx.params.ridLookup;
    this.kind = kind === 'rbtree' ? RID_RBTREE : kind === 'pci-bus' ? RID_PCI_BUS : RID_SVM_DEVS;
    this.lastPasid = new Int32Array(n).fill(-1);
    this.lastRid = new Int32Array(n).fill(-1);
    this.listNs = ctx.params.listVisitNs;
    this.treeNs = ctx.params.rbtreeVisitNs;
    this.tableNs = ctx.nsPerVisit(ctx.params.structure);
    if (this.kind === RID_PCI_BUS) this.bus = ctx.pciBus();
    if (this.kind === RID_RBTREE) for (let i = 0; i < n; i++) this.trees.push(ctx.deviceTree(i));
    this.ridVisits = scratchI32('rid.visits', this.kind === RID_RBTREE ? n * 65536 : this.kind === RID_PCI_BUS ? 65536 : 0);
  }

  /** prq_event_thread's svm/sdev caches are locals of one invocation. */
  resetCaches(i: number): void {
    this.lastPasid[i] = -1;
    this.lastRid[i] = -1;
  }

  cost(r: number, g: number): number {
    const ledger = this.ledger;
    const rid = this.rid[r]!;
    const i = this.iommu[r]!;
    if (this.kind === RID_RBTREE) {
      const at = i * 65536 + rid;
      if (this.ridVisits[at] === 0) {
        const t = this.trees[i]!;
        t.find(rid);
        this.ridVisits[at] = t.lastVisits + 1;
      }
      return ledger.add(STAGE_RID, g, this.ridVisits[at]! - 1, this.treeNs);
    }
    if (this.kind === RID_PCI_BUS) {
      if (this.ridVisits[rid] === 0) {
        const bus = this.bus!;
        bus.find(rid);
        this.ridVisits[rid] = bus.lastVisits + 1;
      }
      return ledger.add(STAGE_RID, g, this.ridVisits[rid]! - 1, this.listNs);
    }
    const pasid = this.pasid[r]!;
    let ns = 0;
    let visits = 0;
    if (pasid !== this.lastPasid[i]) {
      const v = this.ctx.pasidTableVisits(pasid);
      visits += v;
      ns += ledger.addStage(STAGE_PASID, v, this.tableNs);
      this.lastPasid[i] = pasid;
      this.lastRid[i] = -1;
    }
    if (rid !== this.lastRid[i]) {
      const v = this.ctx.deviceListVisits(r);
      visits += v;
      ns += ledger.addStage(STAGE_RID, v, this.listNs);
      this.lastRid[i] = rid;
    }
    if (visits > 0) ledger.addGroup(g, visits, ns);
    return ns;
  }
}
