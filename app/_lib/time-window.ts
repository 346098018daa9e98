// The arithmetic of zooming and panning a time chart's window [lo, hi) (ns since the trace
// start) inside the trace [0, extent): wheel and buttons zoom around a point, drags and
// buttons pan, and the result becomes the URL's ?from=&to= (whole ns) — or no parameters at
// all when it covers the whole trace. Kept apart from React so it is tested on its own.

export type TimeWindow = readonly [lo: number, hi: number];

/** The narrowest window offered: below it a bucket is one timestamp tick wide anyway. */
export const MIN_WINDOW_NS = 100;

/** A wheel turn to a zoom factor: e^(0.002·pixels), so 100 px down widens the window ×1.22 and 100 px up narrows it ×0.82; a line counts 16 px, a page 400. */
export function wheelFactor(deltaY: number, deltaMode = 0): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(Math.max(-500, Math.min(500, px)) * 0.002);
}

function fit(lo: number, width: number, extent: number): TimeWindow {
  const w = Math.min(extent, Math.max(Math.min(MIN_WINDOW_NS, extent), width));
  const start = Math.min(extent - w, Math.max(0, lo));
  return [start, start + w];
}

/** The window scaled by factor (< 1 zooms in) around `at`, which stays under the same pixel. */
export function zoomWindow([lo, hi]: TimeWindow, at: number, factor: number, extent: number): TimeWindow {
  const width = hi - lo;
  const next = Math.min(extent, Math.max(Math.min(MIN_WINDOW_NS, extent), width * factor));
  const share = width > 0 ? (at - lo) / width : 0.5;
  return fit(at - share * next, next, extent);
}

/** The window moved by deltaNs (positive: later), its width kept, stopped at the trace's ends. */
export function panWindow([lo, hi]: TimeWindow, deltaNs: number, extent: number): TimeWindow {
  return fit(lo + deltaNs, hi - lo, extent);
}

/** The URL's from/to for a window (whole ns, outward), or null when it is the whole trace. */
export function windowParams([lo, hi]: TimeWindow, extent: number): { from: number; to: number } | null {
  const from = Math.max(0, Math.floor(lo));
  const to = Math.min(extent, Math.ceil(hi));
  return from <= 0 && to >= extent ? null : { from, to };
}
