'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ApiError } from '../../api/_contract.ts';

export function LoadSampleButton({ sample }: { sample: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/samples', { method: 'POST' });
      if (res.status !== 201) {
        const body = (await res.json().catch(() => ({}))) as Partial<ApiError>;
        setError(body.error ?? `server answered ${res.status}`);
        return;
      }
      router.refresh();
    } catch {
      setError('the request failed (network error or server restart)');
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={load} disabled={busy} data-testid="load-sample">
        {busy ? (
          <>
            <span className="spinner" aria-hidden="true" /> Loading…
          </>
        ) : (
          `Load the bundled sample (${sample})`
        )}
      </button>
      {error ? (
        <p role="alert" className="notice error">
          {error}
        </p>
      ) : null}
    </>
  );
}
