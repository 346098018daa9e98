// Which guess drives the answer? Every numeric parameter of a run halved and doubled, each
// variant replayed at the same K seeds as the base (so the seeds' noise mostly cancels), and
// ranked by how far it moves the device-side p99 (replay-physics.md §1: today the answer is set
// by guesses such as qiSubmitNs, not by the designs). A parameter whose value is an estimate
// and that dominates is flagged: that is the number to measure before trusting the answer.

import { ReplayConfigError } from '../core/errors.ts';
import { predictionInterval, type Interval } from './intervals.ts';
import { PARAM_NAMES, PARAM_SPECS, validateParams, type ParamName, type ReplayParams } from './params.ts';
import type { ParamsProvenance, ProvenanceKind } from './presets.ts';
import type { ModelName, ReplaySummary } from './types.ts';

/** A lognormal's median and p99 must stay ordered: when one alone would cross the other, both move. */
const PARTNER: Partial<Record<ParamName, ParamName>> = {
  serviceP50Ns: 'serviceP99Ns',
  serviceP99Ns: 'serviceP50Ns',
  serviceSlowP50Ns: 'serviceSlowP99Ns',
  serviceSlowP99Ns: 'serviceSlowP50Ns',
  wqWakeupNs: 'wqWakeupP99Ns',
  wqWakeupP99Ns: 'wqWakeupNs',
};

export interface SensitivityVariant {
  param: ParamName;
  factor: 0.5 | 2;
  params: ReplayParams;
  /** The value the parameter took (rounded for integers, kept in its range). */
  value: number;
  /** A partner moved with it (a lognormal's p50 and p99). */
  moved: ParamName | null;
}

function scaled(name: ParamName, value: number, factor: number): number {
  const spec = PARAM_SPECS[name];
  if (spec.type === 'enum') return value;
  const v = spec.type === 'int' ? Math.max(1, Math.round(value * factor)) : value * factor;
  return Math.min(spec.max, Math.max(spec.min, v));
}

/** The halved and doubled variants: numeric parameters the model reads, not flags, not 0. */
export function sensitivityPlan(model: ModelName, params: ReplayParams): SensitivityVariant[] {
  const out: SensitivityVariant[] = [];
  for (const name of PARAM_NAMES) {
    const spec = PARAM_SPECS[name];
    const base = params[name];
    if (spec.type === 'enum' || spec.unit === 'flag' || !spec.models.includes(model) || typeof base !== 'number' || base === 0) continue;
    for (const factor of [0.5, 2] as const) {
      const value = scaled(name, base, factor);
      if (value === base) continue;
      let p = { ...params, [name]: value } as ReplayParams;
      let moved: ParamName | null = null;
      try {
        validateParams(p);
      } catch (e) {
        const partner = PARTNER[name];
        if (!(e instanceof ReplayConfigError) || !partner) throw e;
        p = { ...p, [partner]: scaled(partner, params[partner] as number, factor) } as ReplayParams;
        validateParams(p);
        moved = partner;
      }
      out.push({ param: name, factor, params: p, value, moved });
    }
  }
  return out;
}

export interface SensitivitySide {
  /** The parameter's value on this side. */
  value: number;
  /** Device-side p50 and p99, mean over the seeds, ns. */
  p50: number | null;
  p99: number | null;
  /** (p99 − base p99) / base p99. */
  p99_change: number | null;
  /** A lognormal partner moved with it, so the pair stays ordered. */
  moved: ParamName | null;
  /** The p99 change beats the seed noise: the 95 % interval of the per-seed paired
   *  differences (same seeds as the base) excludes 0. */
  significant: boolean;
}

export interface SensitivityRow {
  param: ParamName;
  provenance: ProvenanceKind;
  source: string;
  base: number;
  half: SensitivitySide | null;
  double: SensitivitySide | null;
  /** Largest |p99 change| of the two sides: the bar's length in the tornado. */
  swing: number;
  /** Among the answer's drivers: swing ≥ half the largest and a side's change beyond the seed noise. */
  dominant: boolean;
  /** Dominant and only an estimate: measure it before trusting the answer. */
  estimate_dominant: boolean;
}

export interface SensitivityResult {
  model: ModelName;
  preset: string;
  seeds: number[];
  metric: 'device_latency_ns';
  base: { p50: Interval | null; p99: Interval | null };
  /** Half the base p99 prediction interval relative to its value: how far one seed's p99 strays. */
  noise: number;
  /** Largest swing first. */
  rows: SensitivityRow[];
}

const mean = (v: (number | null)[]) => (v.some((x) => x === null) || v.length === 0 ? null : (v as number[]).reduce((a, b) => a + b, 0) / v.length);

/**
 * Rows from the base run's summaries (one per seed) and each variant's (the same seeds, in
 * plan order). Pure: the summaries come from wherever the replays ran.
 */
export function sensitivityRows(
  model: ModelName,
  preset: string,
  params: ReplayParams,
  provenance: ParamsProvenance,
  plan: readonly SensitivityVariant[],
  base: readonly ReplaySummary[],
  variants: readonly (readonly ReplaySummary[])[],
): SensitivityResult {
  const p50 = predictionInterval(
    base.map((s) => s.device_latency_ns.p50),
    { nonNegative: true },
  );
  const p99 = predictionInterval(
    base.map((s) => s.device_latency_ns.p99),
    { nonNegative: true },
  );
  const noise = p99 && p99.value > 0 ? (p99.hi - p99.value) / p99.value : 0;
  const byParam = new Map<ParamName, SensitivityRow>();
  plan.forEach((v, i) => {
    const runs = variants[i]!;
    const vp99 = mean(runs.map((s) => s.device_latency_ns.p99));
    const paired = runs.map((s, k) =>
      s.device_latency_ns.p99 === null || base[k]!.device_latency_ns.p99 === null ? null : s.device_latency_ns.p99 - base[k]!.device_latency_ns.p99!,
    );
    const d = predictionInterval(paired);
    const ci = d && paired.length > 1 ? (d.hi - d.value) / Math.sqrt(1 + paired.length) : 0;
    const side: SensitivitySide = {
      value: v.value,
      p50: mean(runs.map((s) => s.device_latency_ns.p50)),
      p99: vp99,
      p99_change: vp99 === null || !p99 || p99.value === 0 ? null : (vp99 - p99.value) / p99.value,
      moved: v.moved,
      // The prediction half-width t·sd·√(1 + 1/K) divided by √(K + 1) is t·sd/√K: the mean's interval.
      significant: d !== null && paired.length > 1 && Math.abs(d.value) > ci,
    };
    let row = byParam.get(v.param);
    if (!row) {
      row = {
        param: v.param,
        provenance: provenance[v.param].kind,
        source: provenance[v.param].source,
        base: params[v.param] as number,
        half: null,
        double: null,
        swing: 0,
        dominant: false,
        estimate_dominant: false,
      };
      byParam.set(v.param, row);
    }
    row[v.factor === 0.5 ? 'half' : 'double'] = side;
    row.swing = Math.max(row.swing, Math.abs(side.p99_change ?? 0));
  });
  const rows = [...byParam.values()].sort((a, b) => b.swing - a.swing || a.param.localeCompare(b.param));
  const top = rows[0]?.swing ?? 0;
  for (const r of rows) {
    r.dominant = top > 0 && r.swing >= top / 2 && Boolean(r.half?.significant || r.double?.significant);
    r.estimate_dominant = r.dominant && r.provenance === 'estimate';
  }
  return { model, preset, seeds: base.map((s) => s.seed), metric: 'device_latency_ns', base: { p50, p99 }, noise, rows };
}
