'use client';

import { useRouter } from 'next/navigation';
import { useServerRun } from '../../_lib/use-server-run.ts';

/** Starts the trace's sweep on one axis on the server and reloads the page's data when it is saved. */
export function RunSweepButton({ traceId, axis = 'pasids', label = 'Run the PASID sweep' }: { traceId: number; axis?: string; label?: string }) {
  const router = useRouter();
  const { running, elapsed, error, start } = useServerRun('the sweep request failed (network error or server restart)');

  const run = async () => {
    if (await start(`/api/traces/${traceId}/sweep${axis === 'pasids' ? '' : `?axis=${axis}`}`)) router.refresh();
  };

  return (
    <div>
      <button type="button" onClick={run} disabled={running} data-testid="run-sweep">
        {running ? (
          <>
            <span className="spinner" aria-hidden="true" /> Sweeping… {elapsed.toFixed(0)} s
          </>
        ) : (
          label
        )}
      </button>
      {error ? (
        <p role="alert" className="notice error">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
