'use client';

// Wheel zoom and drag pan on a time chart, and buttons that do the same for the keyboard and
// touch. The window being looked at is drawn at once (the chart's x domain, over the buckets it
// already has); when the gesture settles it goes to the URL's ?from=&to=, so the server
// components fetch the window's own buckets — no raw points reach the browser. Wheel zooms
// around the time under the pointer; dragging pans in "pan" mode or with Shift held (a plain
// drag still selects a range to annotate or zoom to).

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import { panWindow, wheelFactor, windowParams, zoomWindow, type TimeWindow } from '../../_lib/time-window.ts';
import type { Probe } from './time-brush.tsx';

/** The chart's own surface; legend icons are recharts-surface SVGs too. */
const CHART_SVG = '.recharts-wrapper > svg.recharts-surface';
/** How long the wheel must rest before the window is fetched. */
const SETTLE_MS = 350;

export type DragMode = 'select' | 'pan';

type Handlers = {
  onPointerDown(e: ReactPointerEvent<HTMLDivElement>): void;
  onPointerMove(e: ReactPointerEvent<HTMLDivElement>): void;
  onPointerUp(e: ReactPointerEvent<HTMLDivElement>): void;
  onPointerCancel?(e: ReactPointerEvent<HTMLDivElement>): void;
};

export function useTimeZoom({ probe, zoom, extentNs, brush }: { probe: RefObject<Probe | null>; zoom?: [number, number]; extentNs: number; brush: Handlers }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const ref = useRef<HTMLDivElement>(null);
  const base: TimeWindow = zoom ?? [0, extentNs];
  // The window shown ahead of the URL, tagged with the window it started from: once the page
  // comes back with a new ?from=&to=, a stale one is dropped.
  const baseKey = `${base[0]}-${base[1]}`;
  const [pending, setPending] = useState<{ from: string; w: TimeWindow } | null>(null);
  const view = pending && pending.from === baseKey ? pending.w : null;
  const setView = (w: TimeWindow | null) => setPending(w ? { from: baseKey, w } : null);
  const [mode, setMode] = useState<DragMode>('select');
  const current = useRef<TimeWindow>(base);
  current.current = view ?? base;
  const setViewRef = useRef(setView);
  useEffect(() => {
    setViewRef.current = setView;
  });
  const pan = useRef<{ px: number; window: TimeWindow; width: number } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const go = useCallback(
    (w: TimeWindow) => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      const q = new URLSearchParams(params.toString());
      const p = windowParams(w, extentNs);
      if (p) {
        q.set('from', String(p.from));
        q.set('to', String(p.to));
      } else {
        q.delete('from');
        q.delete('to');
      }
      const s = q.toString();
      router.push(s ? `${pathname}?${s}` : pathname, { scroll: false });
    },
    [params, pathname, router, extentNs],
  );

  /** The plot's left edge and width in client pixels, or null before the chart has drawn. */
  const plot = useCallback((): { left: number; top: number; width: number; height: number } | null => {
    const p = probe.current;
    const svg = ref.current?.querySelector(CHART_SVG);
    if (!p || !svg || p.area.width <= 0) return null;
    const box = svg.getBoundingClientRect();
    return { left: box.left + p.area.x, top: box.top + p.area.y, width: p.area.width, height: p.area.height };
  }, [probe]);

  useEffect(() => {
    const el = ref.current;
    // A chart that does not know the trace's extent (the report's) is not zoomable.
    if (!el || extentNs <= 0) return;
    // Native and not passive: a wheel over the plot zooms instead of scrolling the page.
    const onWheel = (e: WheelEvent) => {
      const area = plot();
      if (!area || e.clientX < area.left || e.clientX > area.left + area.width || e.clientY < area.top || e.clientY > area.top + area.height || e.deltaY === 0)
        return;
      const [lo, hi] = current.current;
      const at = lo + ((e.clientX - area.left) / area.width) * (hi - lo);
      const next = zoomWindow(current.current, at, wheelFactor(e.deltaY, e.deltaMode), extentNs);
      // Nothing to zoom (the whole trace, zooming out): the wheel scrolls the page as usual.
      if (Math.abs(next[0] - lo) < 0.5 && Math.abs(next[1] - hi) < 0.5) return;
      e.preventDefault();
      current.current = next;
      setViewRef.current(next);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => go(next), SETTLE_MS);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [plot, go, extentNs]);

  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const handlers: Handlers = {
    onPointerDown(e) {
      const area = plot();
      if (!(mode === 'pan' || e.shiftKey) || e.button !== 0 || !area) return brush.onPointerDown(e);
      if (e.clientX < area.left || e.clientX > area.left + area.width || e.clientY < area.top || e.clientY > area.top + area.height) return;
      e.preventDefault();
      e.currentTarget.setPointerCapture(e.pointerId);
      pan.current = { px: e.clientX, window: current.current, width: area.width };
    },
    onPointerMove(e) {
      const p = pan.current;
      if (!p) return brush.onPointerMove(e);
      const [lo, hi] = p.window;
      setView(panWindow(p.window, (-(e.clientX - p.px) / p.width) * (hi - lo), extentNs));
    },
    onPointerCancel() {
      // A touch taken over by the browser (a scroll) ends the pan where it began.
      if (pan.current) setView(null);
      pan.current = null;
    },
    onPointerUp(e) {
      const p = pan.current;
      if (!p) return brush.onPointerUp(e);
      pan.current = null;
      const [lo, hi] = p.window;
      const next = panWindow(p.window, (-(e.clientX - p.px) / p.width) * (hi - lo), extentNs);
      // A click without a move is no pan.
      if (Math.abs(e.clientX - p.px) < 3) return setView(null);
      setView(next);
      go(next);
    },
  };

  return { ref, view, domain: (view ?? base) as [number, number], mode, setMode, handlers, go, window: view ?? base };
}

/**
 * Under a zoomable chart: what the drag does (select or pan), zoom in/out around the middle,
 * step earlier/later by a quarter of the window, and back to the whole trace — buttons, so the
 * keyboard and touch reach everything the wheel and the mouse do.
 */
export function ZoomControls({ zoomState, extentNs, zoomed }: { zoomState: ReturnType<typeof useTimeZoom>; extentNs: number; zoomed: boolean }) {
  const { window: w, mode, setMode, go } = zoomState;
  const mid = (w[0] + w[1]) / 2;
  const quarter = (w[1] - w[0]) / 4;
  return (
    <div className="zoom-controls no-print" role="toolbar" aria-label="Time window" data-testid="zoom-controls">
      <span className="muted">Drag to</span>
      <span className="toggle-buttons">
        <button type="button" className="secondary small" aria-pressed={mode === 'select'} onClick={() => setMode('select')} data-testid="drag-select">
          select
        </button>
        <button
          type="button"
          className="secondary small"
          aria-pressed={mode === 'pan'}
          onClick={() => setMode('pan')}
          data-testid="drag-pan"
          title="Or hold Shift while dragging"
        >
          pan
        </button>
      </span>
      <button
        type="button"
        className="secondary small"
        onClick={() => go(zoomWindow(w, mid, 0.5, extentNs))}
        data-testid="zoom-in"
        aria-label="Zoom in (halve the time window)"
      >
        + zoom in
      </button>
      <button
        type="button"
        className="secondary small"
        onClick={() => go(zoomWindow(w, mid, 2, extentNs))}
        disabled={!zoomed}
        data-testid="zoom-out"
        aria-label="Zoom out (double the time window)"
      >
        − zoom out
      </button>
      <button
        type="button"
        className="secondary small"
        onClick={() => go(panWindow(w, -quarter, extentNs))}
        disabled={w[0] <= 0}
        data-testid="pan-earlier"
        aria-label="Earlier (a quarter of the window)"
      >
        ← earlier
      </button>
      <button
        type="button"
        className="secondary small"
        onClick={() => go(panWindow(w, quarter, extentNs))}
        disabled={w[1] >= extentNs}
        data-testid="pan-later"
        aria-label="Later (a quarter of the window)"
      >
        later →
      </button>
      <button type="button" className="secondary small" onClick={() => go([0, extentNs])} disabled={!zoomed} data-testid="chart-zoom-reset">
        whole trace
      </button>
      <span className="muted zoom-hint">Wheel over the chart zooms around the pointer.</span>
    </div>
  );
}
