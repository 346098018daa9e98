'use client';

import Link from 'next/link';
import { useEffect } from 'react';

// Server errors reach the browser without their message in production (only a digest that
// matches the server log), so the page says what usually goes wrong instead.
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error && 'digest' in error ? String((error as { digest?: unknown }).digest ?? '') : '';
  return (
    <div className="card" role="alert" style={{ maxWidth: 720 }}>
      <h1>This page could not be loaded</h1>
      <p>
        The database may be busy — DuckDB lets one process hold the file, so a <span className="mono">pritrace</span> command running against the same database
        blocks the server until it ends — or the query failed. The server log has the details
        {digest ? (
          <>
            {' '}
            (error digest <span className="mono">{digest}</span>)
          </>
        ) : null}
        .
      </p>
      <p style={{ display: 'flex', gap: '0.75rem' }}>
        <button type="button" onClick={() => retry()}>
          Try again
        </button>
        <Link className="button secondary" href="/">
          Back to the traces
        </Link>
      </p>
    </div>
  );
}
