import { ChartSkeleton } from '../../_components/skeleton.tsx';

export default function Loading() {
  return (
    <div className="grid" aria-busy="true">
      <div className="card span-12">
        <ChartSkeleton height={80} />
      </div>
      <div className="card span-8">
        <ChartSkeleton />
      </div>
      <div className="card span-4">
        <ChartSkeleton />
      </div>
    </div>
  );
}
