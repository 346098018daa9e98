'use client';

// Drag across a time chart to select a range, then annotate it or zoom to it. The drag is
// read on the chart's wrapper (lines and areas drawn over the plot would swallow events on an
// SVG layer), mapped to trace time through the x axis' inverse scale, which a probe inside the
// chart hands out. Selections snap to a power of ten no finer than a pixel, so the times
// offered read well and fit the annotation form's µs field (at most 3 decimals).

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import { ReferenceArea, usePlotArea, useXAxisInverseScale } from 'recharts';
import { fmtNs } from '../../_lib/format.ts';
import { AnnotationForm } from '../postmortem/annotation-editor.tsx';

/** A selected range, ns since the trace start, start < end. */
export interface TimeSelection {
  start_ns: number;
  end_ns: number;
}

export interface Probe {
  invert: (px: number) => unknown;
  area: { x: number; y: number; width: number; height: number };
}

/** Rendered inside a recharts chart: keeps the current x inverse scale and plot area in probe. */
export function BrushProbe({ probe }: { probe: RefObject<Probe | null> }) {
  const invert = useXAxisInverseScale();
  const area = usePlotArea();
  useEffect(() => {
    probe.current = invert && area ? { invert, area } : null;
  }, [probe, invert, area]);
  return null;
}

/** The drawn selection (while dragging and after), clipped to the plot. */
export function selectionArea(sel: TimeSelection | null) {
  return sel ? (
    <ReferenceArea
      key="brush-selection"
      className="brush-selection"
      x1={sel.start_ns}
      x2={sel.end_ns}
      fill="#2457c5"
      fillOpacity={0.15}
      stroke="#2457c5"
      strokeOpacity={0.6}
      ifOverflow="hidden"
    />
  ) : null;
}

/** The chart's own surface; legend icons are recharts-surface SVGs too. */
const CHART_SVG = '.recharts-wrapper > svg.recharts-surface';

function snap(ns: number, step: number): number {
  return Math.max(0, Math.round(ns / step) * step);
}

export function useTimeBrush() {
  const probe = useRef<Probe | null>(null);
  const anchor = useRef<{ px: number; ns: number; step: number } | null>(null);
  const [selection, setSelection] = useState<TimeSelection | null>(null);
  const [done, setDone] = useState(false);

  function at(e: ReactPointerEvent<HTMLDivElement>): { px: number; ns: number; step: number } | null {
    const p = probe.current;
    const svg = e.currentTarget.querySelector(CHART_SVG);
    if (!p || !svg) return null;
    const box = svg.getBoundingClientRect();
    const px = Math.min(p.area.x + p.area.width, Math.max(p.area.x, e.clientX - box.left));
    const lo = Number(p.invert(p.area.x));
    const hi = Number(p.invert(p.area.x + p.area.width));
    const ns = Number(p.invert(px));
    if (![lo, hi, ns].every(Number.isFinite)) return null;
    const perPixel = Math.max(1, (hi - lo) / Math.max(1, p.area.width));
    return { px, ns, step: 10 ** Math.floor(Math.log10(perPixel)) };
  }

  const handlers = {
    onPointerDown(e: ReactPointerEvent<HTMLDivElement>) {
      const p = probe.current;
      const svg = e.currentTarget.querySelector(CHART_SVG);
      if (e.button !== 0 || !p || !svg) return;
      const box = svg.getBoundingClientRect();
      const x = e.clientX - box.left;
      const y = e.clientY - box.top;
      // Only a press inside the plot starts a selection: the legend and axes stay clickable.
      if (x < p.area.x || x > p.area.x + p.area.width || y < p.area.y || y > p.area.y + p.area.height) return;
      const point = at(e);
      if (!point) return;
      e.preventDefault();
      e.currentTarget.setPointerCapture(e.pointerId);
      anchor.current = point;
      setSelection(null);
      setDone(false);
    },
    onPointerMove(e: ReactPointerEvent<HTMLDivElement>) {
      const a = anchor.current;
      const point = a ? at(e) : null;
      if (!a || !point) return;
      const [s, t] = a.ns <= point.ns ? [a.ns, point.ns] : [point.ns, a.ns];
      setSelection({ start_ns: snap(s, a.step), end_ns: snap(t, a.step) });
    },
    onPointerUp(e: ReactPointerEvent<HTMLDivElement>) {
      const a = anchor.current;
      anchor.current = null;
      const point = a ? at(e) : null;
      if (!a || !point) return;
      const start = snap(Math.min(a.ns, point.ns), a.step);
      const end = snap(Math.max(a.ns, point.ns), a.step);
      // A click (or a drag of a few pixels) is not a range: it clears the selection.
      if (Math.abs(point.px - a.px) < 4 || end <= start) {
        setSelection(null);
        return;
      }
      setSelection({ start_ns: start, end_ns: end });
      setDone(true);
    },
  };

  return {
    probe,
    handlers,
    selection,
    /** The selection once the drag has ended (what the actions apply to). */
    chosen: done ? selection : null,
    clear() {
      setSelection(null);
      setDone(false);
    },
  };
}

/**
 * Under a brushed chart: the selected range, "Annotate this range" (the annotation form,
 * prefilled) and "Zoom to range" (the range into the page's URL as ?from=&to=, other filters
 * kept, so the zoom is part of the shareable link).
 */
export function BrushActions({ traceId, selection, onClear }: { traceId: number; selection: TimeSelection; onClear: () => void }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [annotating, setAnnotating] = useState(false);
  const zoom = () => {
    const q = new URLSearchParams(params.toString());
    q.set('from', String(selection.start_ns));
    q.set('to', String(selection.end_ns));
    onClear();
    router.push(`${pathname}?${q.toString()}`);
  };
  return (
    <div className="brush-actions no-print" data-testid="brush-actions" data-start-ns={selection.start_ns} data-end-ns={selection.end_ns}>
      <div className="chart-actions" style={{ justifyContent: 'flex-start', alignItems: 'center' }}>
        <span>
          Selected <b>{fmtNs(selection.start_ns)}</b> – <b>{fmtNs(selection.end_ns)}</b> ({fmtNs(selection.end_ns - selection.start_ns)})
        </span>
        <button type="button" className="small" onClick={() => setAnnotating((v) => !v)} aria-expanded={annotating} data-testid="brush-annotate">
          Annotate this range
        </button>
        <button type="button" className="secondary small" onClick={zoom} data-testid="brush-zoom">
          Zoom to range
        </button>
        <button type="button" className="secondary small" onClick={onClear} data-testid="brush-clear">
          Clear selection
        </button>
      </div>
      {annotating ? (
        <AnnotationForm
          key={`${selection.start_ns}-${selection.end_ns}`}
          traceId={traceId}
          prefill={{ start_offset_ns: selection.start_ns, end_offset_ns: selection.end_ns }}
          onDone={onClear}
        />
      ) : null}
    </div>
  );
}
