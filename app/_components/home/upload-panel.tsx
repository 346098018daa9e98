'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { fmtBytes, fmtCount } from '../../_lib/format.ts';
import { withoutControls } from '@/lib/core/errors.ts';
import type { IngestJobStatus, RejectedTraceError, UploadedTrace } from '../../api/_contract.ts';
import { DuplicatePrompt } from './duplicate-prompt.tsx';

// The file goes to the server as the raw request body of an XMLHttpRequest (the browser
// streams it from disk; XHR is used instead of fetch only for its upload progress events).
// Ingest progress comes from polling the job the upload names with a random id.

type Location = RejectedTraceError['locations'][number];

type JobStatus = Pick<IngestJobStatus, 'phase' | 'fraction'> & {
  /** When this client first saw the phase (ms), so a long phase shows it is still running. */
  since?: number;
  /** How long the decode phase took, once it is over: it scales the store phase's estimate. */
  decodeMs?: number;
};

type Stage = 'uploading' | 'ingesting' | 'done' | 'failed';

interface Upload {
  key: string;
  fileName: string;
  size: number;
  stage: Stage;
  uploadFraction: number;
  job: JobStatus | null;
  result: UploadedTrace | null;
  error: { message: string; locations: Location[] } | null;
}

const PHASE_LABEL: Record<string, string> = {
  receive: 'receiving',
  queued: 'waiting for another ingest',
  detect: 'detecting the format',
  decode: 'decoding lines',
  store: 'storing events',
  pair: 'pairing requests and responses',
  commit: 'committing',
  done: 'done',
  failed: 'failed',
};

/** How long storing took beside decoding on the bench traces (5 M lines: ~0.55×). */
const STORE_PER_DECODE = 0.6;

/**
 * Rough share of ingest time per phase, so one bar moves steadily through all of them.
 * Decode and pair report their own fraction; storing does not (DuckDB's estimate for the
 * INSERT stayed near 14 % to its end), so the bar creeps towards the pair phase on a curve
 * scaled by how long this file took to decode, slowing down rather than stopping short.
 */
function ingestFraction(job: JobStatus | null, stage: Stage, now: number): number {
  if (stage === 'done') return 1;
  if (!job) return 0;
  const f = job.fraction ?? 0;
  switch (job.phase) {
    case 'receive':
    case 'queued':
      return 0;
    case 'detect':
      return 0.03;
    case 'decode':
      return 0.05 + 0.6 * f;
    case 'store': {
      const expected = Math.max(1000, STORE_PER_DECODE * (job.decodeMs ?? 5000));
      const elapsed = job.since ? Math.max(0, now - job.since) : 0;
      return 0.65 + 0.2 * (1 - Math.exp(-elapsed / expected));
    }
    case 'pair':
      return 0.85 + 0.1 * f;
    case 'commit':
      return 0.97;
    case 'done':
      return 1;
    default:
      return 0;
  }
}

function nextJobStatus(prev: JobStatus | null, status: IngestJobStatus, now: number): JobStatus {
  const same = prev?.phase === status.phase;
  const decodeMs = prev?.phase === 'decode' && !same && prev.since ? now - prev.since : prev?.decodeMs;
  return { phase: status.phase, fraction: status.fraction, since: same ? prev.since : now, decodeMs };
}

function randomId(): string {
  // getRandomValues works on plain-http origins too, where crypto.randomUUID is missing.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function UploadPanel({ maxBytes }: { maxBytes: number }) {
  const router = useRouter();
  const inputRef = useRef<HTMLInputElement>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const timers = useRef(new Set<ReturnType<typeof setInterval>>());

  useEffect(() => {
    const active = timers.current;
    return () => active.forEach((t) => clearInterval(t));
  }, []);

  const patch = useCallback((key: string, p: Partial<Upload>) => {
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...p } : u)));
  }, []);

  const send = useCallback(
    (file: File, key: string) =>
      new Promise<void>((resolve) => {
        if (file.size > maxBytes) {
          patch(key, {
            stage: 'failed',
            error: { message: `${file.name} is ${fmtBytes(file.size)}, over the upload limit of ${fmtBytes(maxBytes)}`, locations: [] },
          });
          resolve();
          return;
        }
        const job = randomId();
        const xhr = new XMLHttpRequest();
        let poll: ReturnType<typeof setInterval> | null = null;
        const stopPolling = () => {
          if (poll) {
            clearInterval(poll);
            timers.current.delete(poll);
            poll = null;
          }
        };
        const startPolling = () => {
          if (poll) return;
          poll = setInterval(async () => {
            try {
              const res = await fetch(`/api/ingest-jobs/${job}`, { cache: 'no-store' });
              if (!res.ok) return;
              const status = (await res.json()) as IngestJobStatus;
              setUploads((list) => list.map((u) => (u.key === key ? { ...u, job: nextJobStatus(u.job, status, Date.now()) } : u)));
            } catch {
              // A missed poll is harmless: the next one or the upload's own answer follows.
            }
          }, 400);
          timers.current.add(poll);
        };

        xhr.open('POST', `/api/traces?filename=${encodeURIComponent(file.name)}&job=${job}`);
        xhr.setRequestHeader('content-type', 'application/octet-stream');
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) patch(key, { uploadFraction: e.loaded / e.total });
        };
        xhr.upload.onload = () => {
          patch(key, { uploadFraction: 1, stage: 'ingesting' });
          startPolling();
        };
        xhr.onload = () => {
          stopPolling();
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(xhr.responseText) as Record<string, unknown>;
          } catch {
            body = { error: xhr.responseText.slice(0, 300) || `server answered ${xhr.status}` };
          }
          if (xhr.status === 201) {
            patch(key, { stage: 'done', uploadFraction: 1, job: { phase: 'done', fraction: 1 }, result: body as unknown as UploadedTrace });
            router.refresh();
          } else {
            const reason =
              typeof body.reason === 'string' && typeof body.file === 'string'
                ? `${body.file}: ${body.reason}`
                : String(body.error ?? `server answered ${xhr.status}`);
            const retry = xhr.status === 503 ? ' (the database is busy; try again in a few seconds)' : '';
            patch(key, {
              stage: 'failed',
              error: { message: reason + retry, locations: Array.isArray(body.locations) ? (body.locations as Location[]) : [] },
            });
          }
          resolve();
        };
        xhr.onerror = () => {
          stopPolling();
          patch(key, { stage: 'failed', error: { message: 'the upload failed: network error or the server closed the connection', locations: [] } });
          resolve();
        };
        xhr.send(file);
      }),
    [maxBytes, patch, router],
  );

  const addFiles = useCallback(
    (files: FileList | File[]) => {
      for (const file of Array.from(files)) {
        const key = randomId();
        setUploads((list) => [
          { key, fileName: file.name, size: file.size, stage: 'uploading', uploadFraction: 0, job: null, result: null, error: null },
          ...list,
        ]);
        // One upload at a time: the server ingests one at a time anyway, and bandwidth is shared.
        queue.current = queue.current.then(() => send(file, key));
      }
    },
    [send],
  );

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.files.length) addFiles(e.dataTransfer.files);
  };

  return (
    <div>
      <div
        className={`dropzone${dragging ? ' active' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <p>
          <b>Drop trace files here</b> or{' '}
          <button type="button" onClick={() => inputRef.current?.click()}>
            Choose files…
          </button>
        </p>
        <p className="muted">
          .txt, .csv, .jsonl, or any of them .gz — up to {fmtBytes(maxBytes)}. The file streams to the server; nothing is stored unless the whole trace is
          accepted.
        </p>
        <input
          ref={inputRef}
          id="trace-file"
          data-testid="trace-file-input"
          type="file"
          multiple
          className="visually-hidden"
          tabIndex={-1}
          aria-label="Trace files"
          onChange={(e) => {
            if (e.target.files?.length) addFiles(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      {uploads.length > 0 ? (
        <ul className="uploads" aria-live="polite">
          {uploads.map((u) => (
            <UploadRow key={u.key} upload={u} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function UploadRow({ upload: u }: { upload: Upload }) {
  const ingest = ingestFraction(u.job, u.stage, Date.now());
  const phase = u.stage === 'done' ? 'done' : u.stage === 'uploading' ? 'waiting for upload' : (PHASE_LABEL[u.job?.phase ?? 'receive'] ?? u.job?.phase);
  return (
    <li className={`upload-item${u.stage === 'failed' ? ' failed' : ''}`} data-testid="upload-item" data-stage={u.stage}>
      <div>
        <b>{u.fileName}</b> <span className="muted">{fmtBytes(u.size)}</span>
        {u.stage === 'done' && u.result ? (
          <span>
            {' '}
            — trace <Link href={`/traces/${u.result.trace_id}`}>{withoutControls(u.result.name)}</Link> ({u.result.format}): {fmtCount(u.result.events)} events,{' '}
            {fmtCount(u.result.groups.total)} groups, {fmtCount(u.result.groups.answered)} answered
            {u.result.bad_lines ? `, ${fmtCount(u.result.bad_lines)} bad lines` : ''}
          </span>
        ) : null}
      </div>
      {u.stage !== 'failed' ? (
        <>
          <div className="progress-row">
            <span>Upload</span>
            <progress max={1} value={u.uploadFraction} aria-label={`Upload of ${u.fileName}`} />
            <span className="num">{Math.round(u.uploadFraction * 100)} %</span>
          </div>
          <div className="progress-row">
            <span>Ingest</span>
            <progress max={1} value={ingest} aria-label={`Ingest of ${u.fileName}`} />
            <span className="num">{Math.round(ingest * 100)} %</span>
          </div>
          {u.stage !== 'done' ? (
            <p className="muted" style={{ margin: '0.3rem 0 0', fontSize: '0.85rem' }}>
              <span className="spinner" aria-hidden="true" /> {phase}
              {u.stage === 'ingesting' && u.job?.since ? ` · ${Math.floor((Date.now() - u.job.since) / 1000)} s` : ''}
            </p>
          ) : null}
        </>
      ) : null}
      {u.stage === 'done' && u.result ? <DuplicatePrompt traceId={u.result.trace_id} name={u.result.name} /> : null}
      {u.stage === 'done' && u.result && u.result.warnings.length > 0 ? (
        <ul className="error-list" aria-label="Bad lines skipped">
          {u.result.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {u.error ? (
        <div role="alert" data-testid="upload-error">
          <p style={{ margin: '0.3rem 0 0', color: 'var(--bad)' }}>
            <b>Rejected:</b> {u.error.message}
          </p>
          {u.error.locations.length > 0 ? (
            <ul className="error-list">
              {u.error.locations.map((l) => (
                <li key={`${l.line}:${l.column}`}>
                  {l.file}:{l.line}:{l.column}: {l.reason}
                </li>
              ))}
            </ul>
          ) : null}
          <p className="muted" style={{ margin: '0.3rem 0 0', fontSize: '0.85rem' }}>
            Nothing from this file was stored.
          </p>
        </div>
      ) : null}
    </li>
  );
}
