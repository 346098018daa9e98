// Reusable typed arrays for a replay's internal state (never for what it returns). On the
// VMs we run on, first touching fresh memory costs ~3 ms per MB in page faults — more than
// the simulation itself for a million groups — so each named buffer is kept between replays
// and only cleared. Module state on purpose: replays are synchronous, so no two users of a
// name overlap, and results never depend on what a buffer held before (it is zeroed).

const f64 = new Map<string, Float64Array>();
const i32 = new Map<string, Int32Array>();
const u8 = new Map<string, Uint8Array>();

function take<T extends Float64Array | Int32Array | Uint8Array>(pool: Map<string, T>, make: (n: number) => T, name: string, n: number): T {
  let a = pool.get(name);
  if (!a || a.length < n) {
    a = make(Math.ceil(n * 1.25) + 16);
    pool.set(name, a);
    return a.subarray(0, n) as T;
  }
  const view = a.subarray(0, n) as T;
  view.fill(0);
  return view;
}

/** A zeroed Float64Array of length n, reused across replays under this name. */
export function scratchF64(name: string, n: number): Float64Array {
  return take(f64, (len) => new Float64Array(len), name, n);
}

/** A zeroed Int32Array of length n, reused across replays under this name. */
export function scratchI32(name: string, n: number): Int32Array {
  return take(i32, (len) => new Int32Array(len), name, n);
}

/** A zeroed Uint8Array of length n, reused across replays under this name. */
export function scratchU8(name: string, n: number): Uint8Array {
  return take(u8, (len) => new Uint8Array(len), name, n);
}
