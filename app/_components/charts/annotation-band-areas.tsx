// Annotation bands as recharts ReferenceAreas, shared by the time charts. Each label is cut to
// the band's own width: neighbouring notes would otherwise print over each other (the full text
// is in the list and the report).

import { ReferenceArea } from 'recharts';
import type { TimeBand } from './latency-over-time-chart.tsx';

/** Average width of an 11 px label character, px: enough to keep labels inside their band. */
const CHAR_PX = 6.5;

function FittedLabel({ viewBox, value }: { viewBox?: unknown; value: string }) {
  const box = viewBox as { x: number; y: number; width: number } | undefined;
  if (!box) return null;
  const chars = Math.floor((box.width - 8) / CHAR_PX);
  if (chars < 2) return null;
  const text = value.length > chars ? `${value.slice(0, chars - 1)}…` : value;
  return (
    <text x={box.x + 4} y={box.y + 13} fontSize={11} fill="#8a5a00">
      {text}
    </text>
  );
}

/**
 * One shaded band per note. An instant (start = end) gets a quarter bucket of width so it shows.
 * Zoomed, bands are clipped to the window; otherwise the axis grows to take in a band past the data.
 */
export function annotationBandAreas(bands: readonly TimeBand[], bucketNs: number, zoomed: boolean) {
  return bands.map((b) => (
    <ReferenceArea
      key={`band-${b.id}`}
      className="annotation-band"
      x1={b.start_ns}
      x2={b.end_ns > b.start_ns ? b.end_ns : b.start_ns + bucketNs / 4}
      fill="#f59f00"
      fillOpacity={0.18}
      stroke="#f08c00"
      strokeOpacity={0.7}
      ifOverflow={zoomed ? 'hidden' : 'extendDomain'}
      label={<FittedLabel value={b.label} />}
    />
  ));
}
