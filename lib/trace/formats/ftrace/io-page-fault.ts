// iommu:io_page_fault: unrecoverable DMA faults reported through report_iommu_fault() (AMD,
// ARM). Stored as their own kind and never paired. flags: 0x1 = write, else read.

import type { FtraceEventFormat } from './event-format.ts';

const f = 'iopf';

export const ioPageFault: FtraceEventFormat = {
  id: f,
  describes: 'iommu:io_page_fault (unrecoverable DMA fault)',
  events: ['io_page_fault'],
  pattern: '^IOMMU:(\\S+) (\\S+) iova=0x([0-9a-fA-F]{1,16}) flags=0x([0-9a-fA-F]{1,8})',
  captures: ['driver', 'dev', 'iova', 'flags'],
  columns: {
    kind: "'unrecoverable_fault'",
    device: `${f}.dev`,
    addr: `TRY_CAST('0x' || ${f}.iova AS UBIGINT)`,
    perm: `CASE WHEN (TRY_CAST('0x' || ${f}.flags AS INTEGER) & 1) = 1 THEN 'w' ELSE 'r' END`,
    detail: `${f}.driver`,
  },
  valid: 'true',
  invalid: '',
};
