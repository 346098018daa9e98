'use client';

import { useRouter } from 'next/navigation';
import { useServerRun } from '../../_lib/use-server-run.ts';

/** Starts a sensitivity run (every parameter halved and doubled) on the server; reloads when saved. */
export function RunSensitivityButton({ traceId, model, preset }: { traceId: number; model: string; preset: string }) {
  const router = useRouter();
  const { running, elapsed, error, start } = useServerRun('the sensitivity request failed (network error or server restart)');

  const run = async () => {
    if (await start(`/api/traces/${traceId}/sensitivity`, { model, preset })) router.refresh();
  };

  return (
    <div>
      <button type="button" onClick={run} disabled={running} data-testid="run-sensitivity">
        {running ? (
          <>
            <span className="spinner" aria-hidden="true" /> Halving and doubling every parameter… {elapsed.toFixed(0)} s
          </>
        ) : (
          `Run sensitivity for ${model} ${preset}`
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
