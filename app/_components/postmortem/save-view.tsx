'use client';

// "Save view" next to "Copy link": the page's path + query string (where its whole state
// lives) saved under a name, and the delete button of each listed view. The server decides
// which trace a view belongs to from its path; names are shown as React text only.

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';

export function SaveViewButton() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name') ?? '');
    setBusy(true);
    setMessage(null);
    try {
      const res = await fetch('/api/views', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, url: `${window.location.pathname}${window.location.search}` }),
      });
      const body = (await res.json().catch(() => ({}))) as { error?: string; name?: string };
      if (!res.ok) {
        setMessage({ ok: false, text: body.error ?? `HTTP ${res.status}` });
        return;
      }
      setOpen(false);
      setMessage({ ok: true, text: `Saved as “${body.name ?? name}”.` });
      router.refresh();
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="save-view no-print">
      {open ? (
        <form onSubmit={submit} className="save-view-form" data-testid="save-view-form">
          <label htmlFor="save-view-name" className="visually-hidden">
            View name
          </label>
          <input id="save-view-name" name="name" type="text" required maxLength={100} placeholder="view name" autoFocus size={18} />
          <button type="submit" className="small" disabled={busy} data-testid="save-view-submit">
            Save
          </button>
          <button type="button" className="secondary small" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" className="secondary small" onClick={() => (setOpen(true), setMessage(null))} data-testid="save-view">
          Save view
        </button>
      )}
      {message ? (
        <span
          role={message.ok ? 'status' : 'alert'}
          data-testid="save-view-status"
          style={message.ok ? undefined : { color: 'var(--bad)' }}
          className={message.ok ? 'muted' : undefined}
        >
          {' '}
          {message.text}
        </span>
      ) : null}
    </span>
  );
}

export function DeleteViewButton({ viewId, name }: { viewId: number; name: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="secondary small"
        aria-label={`Delete saved view ${name}`}
        data-testid={`saved-view-delete-${viewId}`}
        onClick={async () => {
          if (!window.confirm(`Delete the saved view “${name}”?`)) return;
          const res = await fetch(`/api/views/${viewId}`, { method: 'DELETE' });
          if (!res.ok) setError(`delete failed: HTTP ${res.status}`);
          else router.refresh();
        }}
      >
        Delete
      </button>
      {error ? <span role="alert">{error}</span> : null}
    </>
  );
}
