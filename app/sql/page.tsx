// /sql: read-only SQL over the trace tables (lib/services/sql-console.ts refuses writes, COPY,
// ATTACH, file readers, extensions and settings; caps rows and time). The schema is listed
// beside the console.

import { Suspense } from 'react';
import { consoleGuards, consoleTables } from '@/lib/services/sql-console.ts';
import { withDb } from '../_data/db.ts';
import { Card } from '../_components/card.tsx';
import { CopyLinkButton } from '../_components/postmortem/copy-link-button.tsx';
import { SqlConsole } from '../_components/postmortem/sql-console.tsx';

export const dynamic = 'force-dynamic';

export default async function SqlPage() {
  const tables = consoleTables();
  const guards = await withDb(consoleGuards);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>SQL console</h1>
          <p className="muted">Read-only queries over the trace database, with a row cap and a time limit.</p>
          <p className="muted" data-testid="sql-guards">
            DuckDB file access:{' '}
            {guards.external_access
              ? 'open (this server was started without confinement)'
              : `confined to ${guards.readable_dirs.length} ingest and spill directories`}
            {' · '}configuration {guards.configuration_locked ? 'locked' : 'not locked'}
          </p>
        </div>
        <CopyLinkButton />
      </div>
      <div className="grid">
        <Card title="Query" span={8}>
          <Suspense fallback={null}>
            <SqlConsole />
          </Suspense>
        </Card>
        <Card title="Tables" span={4}>
          {tables.map((t) => (
            <details key={t.name}>
              <summary className="mono">{t.name}</summary>
              <p className="muted" style={{ fontSize: '0.85rem' }}>
                {t.comment}
              </p>
              <ul style={{ fontSize: '0.8rem' }}>
                {t.columns.map((c) => (
                  <li key={c.name}>
                    <span className="mono">{c.name}</span> <span className="muted">{c.type}</span>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </Card>
      </div>
    </>
  );
}
