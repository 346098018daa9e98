'use client';

import { useRouter } from 'next/navigation';
import { useServerRun } from '../../_lib/use-server-run.ts';

/** Starts the trace's PASID sweep on the server and reloads the page's data when it is saved. */
export function RunSweepButton({ traceId }: { traceId: number }) {
  const router = useRouter();
  const { running, elapsed, error, start } = useServerRun('the sweep request failed (network error or server restart)');

  const run = async () => {
    if (await start(`/api/traces/${traceId}/sweep`)) router.refresh();
  };

  return (
    <div>
      <button type="button" onClick={run} disabled={running} data-testid="run-sweep">
        {running ? (
          <>
            <span className="spinner" aria-hidden="true" /> Sweeping… {elapsed.toFixed(0)} s
          </>
        ) : (
          'Run the PASID sweep'
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
