// A page request as the simulator parsers hand it to the page-event collector, for tests that
// build events one field at a time: spread it and override what the case is about.

import type { TraceEvent } from '../../lib/trace/schema.ts';

/** The last page of group (PASID 3, PRGI 7) on dmar0's 0000:00:0a.0, at line 1, 100 ns. */
export const PAGE_REQUEST: TraceEvent = {
  line: 1,
  tsNs: 100n,
  cpu: null,
  task: null,
  pid: null,
  kind: 'page_request',
  event: null,
  iommu: 'dmar0',
  device: '0000:00:0a.0',
  rid: null,
  pasid: 3,
  prgi: 7,
  last: true,
  addr: null,
  perm: 'r',
  code: null,
  seq: null,
  detail: null,
};
