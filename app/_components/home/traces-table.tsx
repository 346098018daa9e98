import Link from 'next/link';
import { BUNDLED_SAMPLE } from '@/lib/services/ingest-jobs.ts';
import { listTraces } from '@/lib/queries/traces.ts';
import { withDb } from '../../_data/db.ts';
import { fmtBytes, fmtCount, fmtNs } from '../../_lib/format.ts';
import { Empty } from '../empty.tsx';
import { LoadSampleButton } from './load-sample-button.tsx';
import { withoutControls } from '@/lib/core/errors.ts';

export async function TracesTable() {
  const traces = await withDb((db) => listTraces(db));
  if (traces.length === 0) {
    return (
      <Empty>
        <p>
          <b>No traces yet.</b> Drop a trace file above, load the bundled sample, or ingest one from the command line.
        </p>
        <p>
          <LoadSampleButton sample={BUNDLED_SAMPLE} />
        </p>
        <p className="mono">bin/pritrace ingest traces/{BUNDLED_SAMPLE}</p>
      </Empty>
    );
  }
  return (
    <div className="table-wrap">
      <table data-testid="traces-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Format</th>
            <th scope="col" className="num">
              Events
            </th>
            <th scope="col" className="num">
              Span
            </th>
            <th scope="col" className="num">
              Groups
            </th>
            <th scope="col" className="num">
              Answered
            </th>
            <th scope="col" className="num">
              p99 latency
            </th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Ingested (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((t) => (
            <tr key={t.trace_id} data-trace-id={t.trace_id}>
              <td>
                <Link href={`/traces/${t.trace_id}`}>{withoutControls(t.name)}</Link>
                {t.bad_lines > 0 ? <span className="muted"> · {fmtCount(t.bad_lines)} bad lines</span> : null}
              </td>
              <td>{t.format}</td>
              <td className="num">{fmtCount(t.events)}</td>
              <td className="num">{fmtNs(t.span_ns)}</td>
              <td className="num">{fmtCount(t.groups)}</td>
              <td className="num">{fmtCount(t.answered)}</td>
              <td className="num">{fmtNs(t.p99_ns)}</td>
              <td className="num">{fmtBytes(t.file_bytes)}</td>
              <td className="muted">{t.ingested_at}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
