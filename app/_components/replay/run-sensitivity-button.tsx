'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';

/** Starts a sensitivity run (every parameter halved and doubled) on the server; reloads when saved. */
export function RunSensitivityButton({ traceId, model, preset }: { traceId: number; model: string; preset: string }) {
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
      const res = await fetch(`/api/traces/${traceId}/sensitivity`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, preset }) });
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      if (res.status !== 201) {
        setError(body.error ?? `server answered ${res.status}`);
        return;
      }
      router.refresh();
    } catch {
      setError('the sensitivity request failed (network error or server restart)');
    } finally {
      setRunning(false);
    }
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
          {error}
        </p>
      ) : null}
    </div>
  );
}
