// Every ftrace event decoder the project knows, in dispatch order. Adding a tracepoint means
// adding its module here; the decoder dispatches by event name from this list alone.

import type { FtraceEventFormat } from './event-format.ts';
import { prqReport } from './prq-report.ts';
import { prqReportRaw } from './prq-report-raw.ts';
import { qiSubmit } from './qi-submit.ts';
import { devFault, devPageResponse } from './dev-fault.ts';
import { ioPageFault } from './io-page-fault.ts';
import { iommuContext } from './iommu-context.ts';

export const FTRACE_EVENT_FORMATS: readonly FtraceEventFormat[] = [prqReport, prqReportRaw, qiSubmit, devFault, devPageResponse, ioPageFault, iommuContext];

const byEvent = new Map<string, FtraceEventFormat[]>();
for (const f of FTRACE_EVENT_FORMATS) for (const e of f.events) byEvent.set(e, [...(byEvent.get(e) ?? []), f]);

/** The decoder that owns an event line, or undefined (an event no format knows: kind other). */
export function ownerOf(event: string, msg: string): FtraceEventFormat | undefined {
  const fs = byEvent.get(event);
  if (!fs) return undefined;
  for (const f of fs) if (!f.when || f.when(msg)) return f;
  return undefined;
}
