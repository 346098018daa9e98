// Every ftrace event decoder the project knows, in dispatch order. Adding a tracepoint means
// adding its module here; the SQL that runs them is built from this list alone.

import type { FtraceEventFormat } from './event-format.ts';
import { prqReport } from './prq-report.ts';
import { prqReportRaw } from './prq-report-raw.ts';
import { qiSubmit } from './qi-submit.ts';
import { devFault, devPageResponse } from './dev-fault.ts';
import { ioPageFault } from './io-page-fault.ts';
import { iommuContext } from './iommu-context.ts';

export const FTRACE_EVENT_FORMATS: readonly FtraceEventFormat[] = [
  prqReport,
  prqReportRaw,
  qiSubmit,
  devFault,
  devPageResponse,
  ioPageFault,
  iommuContext,
];
