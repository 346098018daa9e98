// One piece of long server work started from a button or form (a replay, a sensitivity run, a
// PASID sweep): POST, count the seconds while it runs, and keep the server's error — with the
// parameter at fault, when it names one — or a network failure in words the user can act on.
// The answer's body is returned on 201, so the caller decides what to reload or where to go.

import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../api/_contract.ts';

export interface RunError {
  message: string;
  parameter?: string;
}

/** `failure`: what to say when the request itself fails (network error, server restart). */
export function useServerRun(failure: string) {
  const [running, setRunning] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [error, setError] = useState<RunError | null>(null);

  useEffect(() => {
    if (!running) return;
    const started = Date.now();
    const t = setInterval(() => setElapsed((Date.now() - started) / 1000), 200);
    return () => clearInterval(t);
  }, [running]);

  /** POSTs to url; the answer's JSON on 201, else null with `error` set. */
  const start = useCallback(
    async <T>(url: string, body?: unknown): Promise<T | null> => {
      setRunning(true);
      setElapsed(0);
      setError(null);
      try {
        const init: RequestInit =
          body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
        const res = await fetch(url, init);
        const answer = (await res.json().catch(() => ({}))) as T & Partial<ApiError>;
        if (res.status !== 201) {
          setError({ message: answer.error ?? `server answered ${res.status}`, parameter: answer.parameter });
          return null;
        }
        return answer;
      } catch {
        setError({ message: failure });
        return null;
      } finally {
        setRunning(false);
      }
    },
    [failure],
  );

  return { running, elapsed, error, setError, start };
}
