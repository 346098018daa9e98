// /capture: how to record PRI traffic that this tool reads — one card per form with the exact
// commands, the format the ingest detects, and the bundled sample of that form to try first
// (lib/capture/forms.ts; tests ingest every sample).

import type { Metadata } from 'next';
import { CAPTURE_FORMS } from '@/lib/capture/forms.ts';
import { Card } from '../_components/card.tsx';

export const metadata: Metadata = { title: 'Capture guide' };

export default function CapturePage() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Recording PRI traffic</h1>
          <p className="muted">
            Run these as root on the machine under test, then ingest the file here (Upload on the Traces page) or with <code>pritrace ingest</code>. Each form
            has a sample in <code>traces/</code> to try first.
          </p>
        </div>
      </div>
      <div className="grid">
        {CAPTURE_FORMS.map((f) => (
          <Card key={f.id} title={f.title} span={6}>
            <section data-testid={`capture-${f.id}`} aria-label={f.title}>
              <p>{f.about}</p>
              <pre className="mono capture-commands">{f.commands.join('\n')}</pre>
              <p className="muted">
                Ingested as <code>{f.format}</code> · sample <code>traces/{f.sample}</code>
              </p>
              {f.limits ? <p className="muted">{f.limits}</p> : null}
            </section>
          </Card>
        ))}
      </div>
    </>
  );
}
