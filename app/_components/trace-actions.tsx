'use client';

// Rename and Delete for one trace, on its pages' header. Rename is an inline form (PATCH);
// Delete asks first in a modal dialog that says what goes with the trace, then DELETEs it and
// returns to the trace list. Names are shown as React text only.

import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import type { ApiError } from '../api/_contract.ts';

export function TraceActions({ traceId, name }: { traceId: number; name: string }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [renaming, setRenaming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function rename(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const newName = String(new FormData(e.currentTarget).get('name') ?? '');
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/traces/${traceId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: newName }),
      });
      const body = (await res.json().catch(() => ({}))) as Partial<ApiError>;
      if (!res.ok) {
        setError(body.error ?? `HTTP ${res.status}`);
        return;
      }
      setRenaming(false);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/traces/${traceId}`, { method: 'DELETE' });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as Partial<ApiError>;
        setError(body.error ?? `HTTP ${res.status}`);
        dialog.current?.close();
        return;
      }
      router.push(`/?deleted=${encodeURIComponent(name)}`);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
      dialog.current?.close();
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="trace-actions no-print">
      {renaming ? (
        <form onSubmit={rename} className="save-view-form" data-testid="rename-form">
          <label htmlFor="trace-new-name" className="visually-hidden">
            New name
          </label>
          <input id="trace-new-name" name="name" type="text" required maxLength={200} defaultValue={name} autoFocus size={24} />
          <button type="submit" className="small" disabled={busy} data-testid="rename-submit">
            Rename
          </button>
          <button type="button" className="secondary small" onClick={() => (setRenaming(false), setError(null))}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" className="secondary small" onClick={() => (setRenaming(true), setError(null))} data-testid="rename-trace">
          Rename
        </button>
      )}{' '}
      <button type="button" className="secondary small danger" onClick={() => dialog.current?.showModal()} data-testid="delete-trace">
        Delete
      </button>
      {error ? (
        <span role="alert" style={{ color: 'var(--bad)' }} data-testid="trace-action-error">
          {' '}
          {error}
        </span>
      ) : null}
      <dialog ref={dialog} className="confirm" aria-labelledby="delete-title" data-testid="delete-dialog">
        <h2 id="delete-title">Delete “{name}”?</h2>
        <p>
          This removes the trace and everything stored with it: its events and fault groups, replay runs, PASID sweeps, annotations and saved views. It cannot
          be undone; the file itself, wherever it is, is not touched.
        </p>
        <div className="confirm-actions">
          <button type="button" className="secondary" onClick={() => dialog.current?.close()} autoFocus>
            Cancel
          </button>
          <button type="button" className="danger-solid" onClick={remove} disabled={busy} data-testid="delete-confirm">
            Delete trace
          </button>
        </div>
      </dialog>
    </span>
  );
}
