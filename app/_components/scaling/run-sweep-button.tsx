'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';

/** Starts the trace's sweep on one axis on the server and reloads the page's data when it is saved. */
export function RunSweepButton({ traceId, axis = 'pasids', label = 'Run the PASID sweep' }: { traceId: number; axis?: string; label?: string }) {
  const router = useRouter();
  const [running, setRunning] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!running) return;
    const started = Date.now();
    const t = setInterval(() => setElapsed((Date.now() - started) / 1000), 200);
    return () => clearInterval(t);
  }, [running]);

  const run = async () => {
    setRunning(true);
    setElapsed(0);
    setError(null);
    try {
      const res = await fetch(`/api/traces/${traceId}/sweep${axis === 'pasids' ? '' : `?axis=${axis}`}`, { method: 'POST' });
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      if (res.status !== 201) {
        setError(body.error ?? `server answered ${res.status}`);
        return;
      }
      router.refresh();
    } catch {
      setError('the sweep request failed (network error or server restart)');
    } finally {
      setRunning(false);
    }
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
          {error}
        </p>
      ) : null}
    </div>
  );
}
