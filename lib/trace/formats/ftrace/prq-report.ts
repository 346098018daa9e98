// intel_iommu:prq_report (v5.14+): one Intel VT-d page request as the kernel's
// decode_prq_descriptor() prints it. `addr` is a page NUMBER (VA >> 12), stored as bytes.
// Flags are r w x p l; `l` (LPIG) is the last page of its group.

import { PASID_LIMIT, PRGI_LIMIT } from '../../schema.ts';
import { decimalI64, EventFields, hexU64, NWS, permBits, type FtraceEventFormat, type U64 } from './event-format.ts';
import { KIND_CODE } from './kind-codes.ts';

const PATTERN = new RegExp(
  `^([^/ ]+)/(${NWS}+) seq# ([0-9]{1,20}): rid=0x([0-9a-fA-F]{1,4}) addr=0x([0-9a-fA-F]{1,13}) ([r-])([w-])([x-])([p-])([l-]) pasid=0x([0-9a-fA-F]{1,5}) index=0x([0-9a-fA-F]{1,3})`,
);
const page: U64 = { hi: 0, lo: 0 };

export const FAILED_TO_PARSE = '[FAILED TO PARSE]';

export const prqReport: FtraceEventFormat = {
  id: 'prq',
  describes: 'intel_iommu:prq_report (Intel VT-d page request, v5.14+)',
  events: ['prq_report'],
  when: (msg) => !msg.startsWith(FAILED_TO_PARSE),
  decode(msg: string, out: EventFields) {
    const m = PATTERN.exec(msg);
    if (!m) return 'malformed';
    out.kind = KIND_CODE.page_request;
    out.iommu = m[1]!;
    out.device = m[2]!;
    out.rid = Number.parseInt(m[4]!, 16);
    hexU64(m[5]!, page);
    // page number (≤ 52 bits) × 4096
    out.addrHi = ((page.hi << 12) | (page.lo >>> 20)) >>> 0;
    out.addrLo = (page.lo << 12) >>> 0;
    out.perm = permBits(m[6] === 'r', m[7] === 'w', m[8] === 'x', m[9] === 'p');
    out.last = m[10] === 'l' ? 1 : 0;
    const pasid = Number.parseInt(m[11]!, 16);
    const prgi = Number.parseInt(m[12]!, 16);
    const seqOk = decimalI64(m[3]!, out);
    if (pasid >= PASID_LIMIT || prgi >= PRGI_LIMIT || !seqOk) return 'invalid';
    out.pasid = pasid;
    out.prgi = prgi;
    return 'ok';
  },
  invalid: 'prq_report field out of range (pasid ≥ 2^20, index ≥ 512 or seq# too large)',
};
