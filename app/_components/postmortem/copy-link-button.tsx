'use client';

// "Copy link": the page's full URL (its view state lives in the query string) to the
// clipboard; where the Clipboard API is unavailable (plain http, old browsers) a hidden
// textarea and execCommand('copy'), and failing that the link is shown to copy by hand.

import { useState } from 'react';

function fallbackCopy(text: string): boolean {
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

export function CopyLinkButton() {
  const [state, setState] = useState<{ status: 'idle' | 'copied' | 'manual'; url: string }>({ status: 'idle', url: '' });
  return (
    <span className="copy-link no-print">
      <button
        type="button"
        className="secondary small"
        data-testid="copy-link"
        onClick={async () => {
          const url = window.location.href;
          let ok = false;
          try {
            if (navigator.clipboard && window.isSecureContext) {
              await navigator.clipboard.writeText(url);
              ok = true;
            }
          } catch {
            ok = false;
          }
          if (!ok) ok = fallbackCopy(url);
          setState({ status: ok ? 'copied' : 'manual', url });
        }}
      >
        Copy link
      </button>
      <span role="status" data-testid="copy-link-status" data-url={state.url} className="muted">
        {state.status === 'copied' ? ' Link copied.' : null}
      </span>
      {state.status === 'manual' ? (
        <input readOnly value={state.url} aria-label="Link to this view" onFocus={(e) => e.currentTarget.select()} size={40} />
      ) : null}
    </span>
  );
}
