// iommu:io_page_fault: unrecoverable DMA faults reported through report_iommu_fault() (AMD,
// ARM), `IOMMU:<driver> <device> iova=0x… flags=0x…`. Stored as their own kind and never
// paired. flags: 0x1 = write, else read.

import type { FtraceEventFormat } from './event-format.ts';
import { field, kv } from './event-format.ts';

export const ioPageFault: FtraceEventFormat = {
  id: 'iopf',
  describes: 'iommu:io_page_fault (unrecoverable DMA fault)',
  events: ['io_page_fault'],
  pattern: '^IOMMU:\\S+ \\S+ iova=0x[0-9a-fA-F]{1,16} flags=0x[0-9a-fA-F]{1,8}',
  columns: {
    kind: "'unrecoverable_fault'",
    device: field(2),
    addr: `TRY_CAST(${kv('iova')} AS UBIGINT)`,
    perm: `CASE WHEN (TRY_CAST(${kv('flags')} AS INTEGER) & 1) = 1 THEN 'w' ELSE 'r' END`,
    detail: `substr(${field(1)}, 7)`,
  },
  valid: 'true',
  invalid: '',
};
