'use client';

// After an upload: when the same file (same SHA-256) is already stored, ask whether to open
// the existing trace — the new copy is then deleted — or keep both. Nothing is asked when the
// file is new. The ingest has already happened by then: the hash is computed while the file
// streams to the database, so this never holds a large upload back to hash it twice.

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { TraceWithSameFile } from '../../api/_contract.ts';

type SameFile = TraceWithSameFile['same_file'][number];

export function DuplicatePrompt({ traceId, name }: { traceId: number; name: string }) {
  const router = useRouter();
  const [same, setSame] = useState<SameFile[]>([]);
  const [state, setState] = useState<'asking' | 'kept' | 'busy' | 'error'>('asking');
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    fetch(`/api/traces/${traceId}`)
      .then((r) => (r.ok ? r.json() : null))
      .then((b: TraceWithSameFile | null) => {
        if (live && b?.same_file) setSame(b.same_file);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [traceId]);

  if (same.length === 0 || state === 'kept') return null;
  const existing = same[0]!;

  async function openExisting() {
    setState('busy');
    const res = await fetch(`/api/traces/${traceId}`, { method: 'DELETE' }).catch(() => null);
    if (!res?.ok) {
      setState('error');
      setError(`could not delete the new copy (${res ? `HTTP ${res.status}` : 'network error'}); both are kept`);
      return;
    }
    router.push(`/traces/${existing.trace_id}`);
  }

  return (
    <div className="notice warn" role="status" data-testid="duplicate-prompt" style={{ marginTop: '0.4rem' }}>
      <p style={{ margin: 0 }}>
        This file was already uploaded as <Link href={`/traces/${existing.trace_id}`}>{existing.name}</Link> (trace #{existing.trace_id}, {existing.ingested_at}{' '}
        UTC)
        {same.length > 1 ? ` and ${same.length - 1} more` : ''}. Open that trace, or keep this second copy as “{name}”?
      </p>
      <p style={{ margin: '0.4rem 0 0', display: 'flex', gap: '0.5rem', flexWrap: 'wrap' }}>
        <button type="button" className="small" onClick={openExisting} disabled={state === 'busy'} data-testid="duplicate-open-existing">
          Open the existing trace (delete this copy)
        </button>
        <button type="button" className="secondary small" onClick={() => setState('kept')} data-testid="duplicate-keep">
          Keep both
        </button>
      </p>
      {state === 'error' ? (
        <p role="alert" style={{ margin: '0.4rem 0 0', color: 'var(--bad)' }}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
