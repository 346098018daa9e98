// Fast draws from a continuous distribution by its quantile function: a table of quantiles
// at the midpoints of T equal-probability cells, sampled with one 32-bit random number and
// linear interpolation between neighbouring cells. Per-page service and wake-up draws run
// millions of times per replay; a Box–Muller/polar normal plus exp per draw was a fifth of
// the replay's time. The price: the outermost half cell (1 / 2T of probability at each end)
// is clamped to the last table value — with T = 16384, beyond the 99.997th percentile of a
// component. Tables are cached by distribution, so a sweep builds each once.

import type { Rng } from './rng.ts';

const T = 16384;
const cache = new Map<string, Float64Array>();

/** Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error < 1.2e−9). */
export function inverseNormal(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

function table(key: string, quantile: (p: number) => number): Float64Array {
  let t = cache.get(key);
  if (!t) {
    t = new Float64Array(T);
    for (let k = 0; k < T; k++) t[k] = quantile((k + 0.5) / T);
    if (cache.size > 256) cache.clear();
    cache.set(key, t);
  }
  return t;
}

/** Quantiles of a lognormal with median p50 and 99th percentile p99. */
export function lognormalTable(p50: number, p99: number): Float64Array {
  const mu = Math.log(p50);
  const sigma = Math.log(p99 / p50) / inverseNormal(0.99);
  return table(`ln:${p50}:${p99}`, (p) => Math.exp(mu + sigma * inverseNormal(p)));
}

/** Quantiles of an exponential with the given mean. */
export function exponentialTable(mean: number): Float64Array {
  return table(`exp:${mean}`, (p) => -mean * Math.log1p(-p));
}

/** The value at probability v in [0, 1) of a table: linear between cell midpoints. */
export function atProbability(t: Float64Array, v: number): number {
  let x = v * T - 0.5;
  if (x < 0) x = 0;
  const i = x | 0;
  if (i >= T - 1) return t[T - 1]!;
  return t[i]! + (x - i) * (t[i + 1]! - t[i]!);
}

/** One draw from a table. */
export function drawFrom(t: Float64Array, rng: Rng): number {
  return atProbability(t, rng.nextU32() / 4294967296);
}
