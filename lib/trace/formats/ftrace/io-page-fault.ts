// iommu:io_page_fault: unrecoverable DMA faults reported through report_iommu_fault() (AMD,
// ARM). Stored as their own kind and never paired. flags: 0x1 = write, else read.

import { EventFields, hexU64, NWS, permBits, type FtraceEventFormat, type U64 } from './event-format.ts';
import { KIND_CODE } from './kind-codes.ts';

const PATTERN = new RegExp(`^IOMMU:(${NWS}+) (${NWS}+) iova=0x([0-9a-fA-F]{1,16}) flags=0x([0-9a-fA-F]{1,8})`);
const iova: U64 = { hi: 0, lo: 0 };

export const ioPageFault: FtraceEventFormat = {
  id: 'iopf',
  describes: 'iommu:io_page_fault (unrecoverable DMA fault)',
  events: ['io_page_fault'],
  decode(msg: string, out: EventFields) {
    const m = PATTERN.exec(msg);
    if (!m) return 'malformed';
    out.kind = KIND_CODE.unrecoverable_fault;
    out.device = m[2]!;
    hexU64(m[3]!, iova);
    out.addrHi = iova.hi;
    out.addrLo = iova.lo;
    const write = (Number.parseInt(m[4]!, 16) & 1) === 1;
    out.perm = permBits(!write, write, false, false);
    out.detail = m[1]!;
    return 'ok';
  },
  invalid: '',
};
