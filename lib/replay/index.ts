// The replay's public surface for the CLI, the store layer and the pages: build an input,
// pick a preset, apply overrides, replay or sweep, calibrate. Everything here is pure.

export { replayPrepared, runReplay, type ReplayExtras } from './engine.ts';
export { STRUCTURE_KINDS, type StructureKind } from './lookup/types.ts';
export { MODELS, modelByName } from './models/index.ts';
export { STAGES, type StageName } from './models/types.ts';
export { applyParamOverrides, PARAM_NAMES, PARAM_SPECS, validateParams, type ParamName, type ParamSpec, type ReplayParams } from './params.ts';
export { calibrate, latencyPercentiles, nearestRank, percentilesOf } from './percentiles.ts';
export { prepareInput, type PreparedInput } from './prepare.ts';
export { defaultPresetForModel, KERNEL_ERAS, presetFor, PRESETS, provenanceOf, type KernelEra, type ParamsProvenance, type Preset, type Provenance } from './presets.ts';
export { estimateServiceTimes, idlePathOverheadNs, inversionOptions, type InversionOptions, type RecordedGroupTimes } from './service-time.ts';
export { MAX_LIVE_PASIDS, runSweep, sweepPrepared, type Allocation, type SweepOptions, type SweepPoint, type SweepResult } from './sweep.ts';
export {
  MODEL_NAMES,
  PERM_P,
  PERM_R,
  PERM_W,
  PERM_X,
  permBits,
  replayInputFromRequests,
  ridOfDevice,
  type Calibration,
  type LatencyPercentiles,
  type LookupSummary,
  type ModelName,
  type QueueDepthSeries,
  type ReplayGroups,
  type ReplayInput,
  type ReplayResult,
  type ReplaySummary,
  type RequestRow,
} from './types.ts';
