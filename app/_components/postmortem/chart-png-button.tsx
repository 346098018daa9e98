'use client';

// Downloads a chart as PNG in the browser: the chart's <svg> (recharts draws one per chart) is
// serialised with its size and a white background, drawn onto a canvas at 2× under a title line
// (chart and trace, so a PNG pasted into a postmortem still says what it shows) and saved.

import { useState } from 'react';

/** The chart's plot: the largest recharts surface inside it (legend icons are small surfaces too). */
function svgOf(testId: string): SVGSVGElement | null {
  const all = [...document.querySelectorAll<SVGSVGElement>(`[data-testid="${CSS.escape(testId)}"] svg.recharts-surface`)];
  const area = (s: SVGSVGElement) => s.getBoundingClientRect().width * s.getBoundingClientRect().height;
  return all.sort((a, b) => area(b) - area(a))[0] ?? null;
}

/** Height of the title band above the chart, CSS px. */
const TITLE_PX = 28;

async function toPng(svg: SVGSVGElement, title: string): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.style.fontFamily = getComputedStyle(svg).fontFamily;
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', '#ffffff');
  clone.insertBefore(bg, clone.firstChild);
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(clone)], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      img.src = url;
    });
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round((height + TITLE_PX) * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no canvas in this browser');
    ctx.scale(scale, scale);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height + TITLE_PX);
    ctx.fillStyle = '#1c2230';
    ctx.font = `600 14px ${getComputedStyle(svg).fontFamily}`;
    ctx.textBaseline = 'middle';
    ctx.fillText(title, 8, TITLE_PX / 2, Math.max(1, width - 16));
    ctx.drawImage(img, 0, TITLE_PX, width, height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function ChartPngButton({ chartTestId, filename, title }: { chartTestId: string; filename: string; title: string }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="no-print">
      <button
        type="button"
        className="secondary small"
        data-testid={`png-${chartTestId}`}
        onClick={async () => {
          setError(null);
          try {
            const svg = svgOf(chartTestId);
            if (!svg) throw new Error('the chart has not been drawn yet');
            const blob = await toPng(svg, title);
            const a = document.createElement('a');
            a.href = URL.createObjectURL(blob);
            a.download = filename;
            document.body.appendChild(a);
            a.click();
            a.remove();
            setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
          } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
          }
        }}
      >
        PNG
      </button>
      {error ? (
        <span role="alert" className="muted">
          {' '}
          {error}
        </span>
      ) : null}
    </span>
  );
}
