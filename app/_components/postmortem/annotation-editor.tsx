'use client';

// The annotation form (create, or edit an existing note) and each note's edit/delete controls.
// Times are typed since trace start in µs or ns and sent as exact integer ns strings; the
// server turns them into trace-clock times. Text is shown as React text only.

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { AnnotationBody, ApiError, EditableAnnotation } from '../../api/_contract.ts';

type Unit = 'us' | 'ns';

/** "12.5" µs → "12500" ns, exactly (decimal digits, no float rounding); null for empty, Error for bad. */
export function toNsString(value: string, unit: Unit): string | null {
  const v = value.trim();
  if (v === '') return null;
  const m = /^(\d{1,15})(?:\.(\d{0,3}))?$/.exec(v);
  if (!m || (unit === 'ns' && m[2])) throw new Error(unit === 'ns' ? 'times in ns must be whole numbers' : 'times in µs take at most 3 decimals');
  if (unit === 'ns') return BigInt(m[1]!).toString();
  return (BigInt(m[1]!) * 1000n + BigInt((m[2] ?? '').padEnd(3, '0') || '0')).toString();
}

function fromNs(ns: number | null, unit: Unit): string {
  if (ns === null) return '';
  return unit === 'ns' ? String(ns) : String(ns / 1000);
}

/** A new note's range chosen elsewhere (a brushed chart), ns since trace start. */
export type AnnotationPrefill = Pick<EditableAnnotation, 'start_offset_ns' | 'end_offset_ns'>;

export function AnnotationForm({
  traceId,
  initial,
  prefill,
  onDone,
}: {
  traceId: number;
  initial?: EditableAnnotation;
  prefill?: AnnotationPrefill;
  onDone?: () => void;
}) {
  const router = useRouter();
  const [unit, setUnit] = useState<Unit>('us');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A brushed range opens its own form, possibly on the page that also has the plain one.
  const prefix = initial ? `edit-${initial.annotation_id}` : prefill ? 'brush' : 'new';
  const range = initial ?? prefill;

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const field = (name: string) => String(f.get(name) ?? '');
    setError(null);
    let body: AnnotationBody;
    try {
      body = {
        author: field('author'),
        text: field('text'),
        start_offset_ns: toNsString(field('start'), unit),
        end_offset_ns: toNsString(field('end'), unit),
        device: field('device').trim() || null,
        pasid: field('pasid').trim() || null,
      };
    } catch (err) {
      setError((err as Error).message);
      return;
    }
    if ((body.start_offset_ns === null) !== (body.end_offset_ns === null)) {
      // One end given: an instant.
      body.start_offset_ns ??= body.end_offset_ns;
      body.end_offset_ns ??= body.start_offset_ns;
    }
    setBusy(true);
    try {
      const res = await fetch(initial ? `/api/traces/${traceId}/annotations/${initial.annotation_id}` : `/api/traces/${traceId}/annotations`, {
        method: initial ? 'PATCH' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) {
        const j = (await res.json().catch(() => ({}))) as Partial<ApiError>;
        setError(j.error ?? `HTTP ${res.status}`);
        return;
      }
      if (!initial) (e.target as HTMLFormElement).reset();
      onDone?.();
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="filters annotation-form" onSubmit={submit} data-testid={`annotation-form-${prefix}`}>
      <div className="field">
        <label htmlFor={`${prefix}-author`}>Author</label>
        <input id={`${prefix}-author`} name="author" required maxLength={100} defaultValue={initial?.author ?? ''} autoFocus={prefill !== undefined} />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-start`}>Start ({unit === 'us' ? 'µs' : 'ns'} since trace start)</label>
        <input id={`${prefix}-start`} name="start" inputMode="decimal" defaultValue={fromNs(range?.start_offset_ns ?? null, unit)} key={`s-${unit}`} />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-end`}>End</label>
        <input id={`${prefix}-end`} name="end" inputMode="decimal" defaultValue={fromNs(range?.end_offset_ns ?? null, unit)} key={`e-${unit}`} />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-unit`}>Unit</label>
        <select id={`${prefix}-unit`} value={unit} onChange={(ev) => setUnit(ev.target.value as Unit)}>
          <option value="us">µs</option>
          <option value="ns">ns</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-device`}>Device (optional)</label>
        <input id={`${prefix}-device`} name="device" maxLength={64} defaultValue={initial?.device ?? ''} />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-pasid`}>PASID (optional)</label>
        <input id={`${prefix}-pasid`} name="pasid" size={8} defaultValue={initial?.pasid ?? ''} />
      </div>
      <div className="field" style={{ flexBasis: '100%' }}>
        <label htmlFor={`${prefix}-text`}>Note</label>
        <textarea id={`${prefix}-text`} name="text" required rows={3} maxLength={10000} defaultValue={initial?.text ?? ''} style={{ width: '100%' }} />
      </div>
      <button type="submit" disabled={busy} data-testid={`annotation-save-${prefix}`}>
        {initial ? 'Save' : 'Add annotation'}
      </button>
      {initial || prefill ? (
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="error" data-testid="annotation-error" style={{ color: 'var(--bad)', flexBasis: '100%' }}>
          {error}
        </p>
      ) : null}
    </form>
  );
}

export function AnnotationControls({ traceId, annotation }: { traceId: number; annotation: EditableAnnotation }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (editing) return <AnnotationForm traceId={traceId} initial={annotation} onDone={() => setEditing(false)} />;
  return (
    <div className="chart-actions" style={{ justifyContent: 'flex-start' }}>
      <button type="button" className="secondary small" onClick={() => setEditing(true)} data-testid={`annotation-edit-${annotation.annotation_id}`}>
        Edit
      </button>
      <button
        type="button"
        className="secondary small"
        data-testid={`annotation-delete-${annotation.annotation_id}`}
        onClick={async () => {
          if (!window.confirm(`Delete annotation #${annotation.annotation_id}?`)) return;
          const res = await fetch(`/api/traces/${traceId}/annotations/${annotation.annotation_id}`, { method: 'DELETE' });
          if (!res.ok) setError(`delete failed: HTTP ${res.status}`);
          else router.refresh();
        }}
      >
        Delete
      </button>
      {error ? <span role="alert">{error}</span> : null}
    </div>
  );
}
