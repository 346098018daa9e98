/** Placeholders shown by each card's <Suspense> while its query runs. */

export function ChartSkeleton({ height = 300 }: { height?: number }) {
  return <div className="skeleton" style={{ height }} role="status" aria-label="Loading chart" />;
}

export function TableSkeleton({ rows = 4 }: { rows?: number }) {
  return (
    <div role="status" aria-label="Loading table" style={{ display: 'grid', gap: 8 }}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" style={{ height: 22 }} />
      ))}
    </div>
  );
}

export function FiguresSkeleton({ count = 5 }: { count?: number }) {
  return (
    <div className="figures" role="status" aria-label="Loading figures">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="skeleton" style={{ height: 58 }} />
      ))}
    </div>
  );
}
