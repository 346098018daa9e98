// The interface between the replay engine and a handling model, plus the ledger in which
// models record what their lookups visited. The engine owns everything both kernel designs
// share (PRQ, drain thread and batches, partial list, workers, service time, QI submit);
// a model only says what its lookups cost at each step, by really running them against
// lookup structures and charging visits × per-visit ns.

import type { LookupStructure, StructureKind } from '../lookup/types.ts';
import type { PreparedInput } from '../prepare.ts';
import type { ModelName } from '../types.ts';
import type { ModelContext } from './context.ts';

/** Cost stages, in the order summaries list them. */
export const STAGES = ['rid_lookup', 'pasid_lookup', 'partial_list', 'pending_list', 'attachments'] as const;
export type StageName = (typeof STAGES)[number];
export const STAGE_RID = 0;
export const STAGE_PASID = 1;
export const STAGE_PARTIAL = 2;
export const STAGE_PENDING = 3;
export const STAGE_ATTACH = 4;

/** Visits and ns per group and per stage. Group −1 (requests of no completed group) only
 *  counts in the stage totals. */
export class VisitLedger {
  readonly groupVisits: Float64Array;
  readonly groupNs: Float64Array;
  readonly stageVisits = new Float64Array(STAGES.length);
  readonly stageNs = new Float64Array(STAGES.length);

  /** The per-group arrays (zeroed, one entry per group) come from the engine: fresh, or the scratch pool for summary-only replays. */
  constructor(groupVisits: Float64Array, groupNs: Float64Array) {
    this.groupVisits = groupVisits;
    this.groupNs = groupNs;
  }

  /** Records visits at nsPerVisit and returns their cost in whole ns. */
  add(stage: number, group: number, visits: number, nsPerVisit: number): number {
    const ns = Math.round(visits * nsPerVisit);
    this.stageVisits[stage]! += visits;
    this.stageNs[stage]! += ns;
    if (group >= 0) {
      this.groupVisits[group]! += visits;
      this.groupNs[group]! += ns;
    }
    return ns;
  }

  /** add() for the stage totals only: a step of several lookups for one group then writes
   *  the group's arrays once (addGroup). Visits and ns are whole numbers, so their float
   *  sums are exact in any order. */
  addStage(stage: number, visits: number, nsPerVisit: number): number {
    const ns = Math.round(visits * nsPerVisit);
    this.stageVisits[stage]! += visits;
    this.stageNs[stage]! += ns;
    return ns;
  }

  addGroup(group: number, visits: number, ns: number): void {
    if (group >= 0) {
      this.groupVisits[group]! += visits;
      this.groupNs[group]! += ns;
    }
  }
}

/**
 * What one replay runs over: the prepared input, possibly with remapped PASIDs and cut to
 * a prefix (the sweep), and possibly a shared set of live PASIDs attached to every device.
 */
export interface ReplayView {
  prepared: PreparedInput;
  /** PASID per request, canonical order. */
  pasid: Int32Array;
  /** Requests replayed: a prefix of the prepared input. */
  requestCount: number;
  /** Groups replayed: those whose last-page request is in the prefix. */
  groupCount: number;
  shared: SharedPasids | null;
}

/**
 * N live PASIDs (in allocation order), every one attached to every device of the input, as
 * when N processes each bind all the accelerators. The structures are built once per set
 * and shared read-only between the replays of a sweep point.
 */
export interface SharedPasids {
  pasids: Int32Array;
  structures: Map<StructureKind, LookupStructure>;
}

/** Per-replay state of a model. Costs are returned in ns and recorded in the ledger. */
export interface ModelRuntime {
  /** Drain-thread lookups for request r of group g (−1: no completed group), before it is reported. */
  descriptorCost(r: number, g: number, isLast: boolean): number;
  /** A new drain-thread invocation on IOMMU i: its 1-entry caches are locals, so cold. */
  resetCaches(i: number): void;
  /** Group g's last-page request r was reported (drain thread). */
  reported(g: number, r: number): void;
  /** Worker-side lookups before the fault is handled; faults = requests reaching the handler. */
  groupStartCost(g: number, r: number, faults: number): number;
  /** Prepares the response of group g: sets preLockNs and lockedNs. */
  respond(g: number, r: number): void;
  /** Response-path cost before the global response lock (or before the QI when there is none). */
  preLockNs: number;
  /** Response-path cost inside the global response lock (0 without one). */
  lockedNs: number;
  /** Whether responses of all IOMMUs serialise on one lock (v5.14–v6.0's pasid_mutex). */
  readonly globalResponseLock: boolean;
}

export interface HandlingModel {
  readonly name: ModelName;
  /** One line for the pages and the CLI. */
  readonly summary: string;
  create(ctx: ModelContext): ModelRuntime;
}
