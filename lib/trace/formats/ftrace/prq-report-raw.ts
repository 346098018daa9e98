// prq_report as trace-cmd / libtraceevent print it: the print fmt calls a kernel helper that
// libtraceevent cannot evaluate, so it prints `[FAILED TO PARSE]` and the raw fields. We
// decode dw0/dw1 with the VT-d page-request descriptor bit table (reference §1.4). u64
// fields come as %llu or 0x-hex depending on the libtraceevent version: both are accepted.

import { anyU64, bitsOf, EventFields, NUM, NWS, permBits, type FtraceEventFormat, type U64 } from './event-format.ts';
import { KIND_CODE } from './kind-codes.ts';
import { FAILED_TO_PARSE } from './prq-report.ts';

const PATTERN = new RegExp(`^\\[FAILED TO PARSE\\] dw0=(${NUM}) dw1=(${NUM}) dw2=${NUM} dw3=${NUM} seq=(${NUM}) iommu=(${NWS}+) dev=(${NWS}+)`);
const dw0: U64 = { hi: 0, lo: 0 };
const dw1: U64 = { hi: 0, lo: 0 };
const seq: U64 = { hi: 0, lo: 0 };

export const prqReportRaw: FtraceEventFormat = {
  id: 'prqraw',
  describes: 'prq_report rendered by trace-cmd as [FAILED TO PARSE] with raw dw0..dw3',
  events: ['prq_report'],
  when: (msg) => msg.startsWith(FAILED_TO_PARSE),
  decode(msg: string, out: EventFields) {
    const m = PATTERN.exec(msg);
    if (!m) return 'malformed';
    out.kind = KIND_CODE.page_request;
    out.iommu = m[4]!;
    out.device = m[5]!;
    // seq must fit a signed 64-bit value, strictly below 2^63 − 1
    const seqOk = anyU64(m[3]!, seq) && seq.hi < 0x80000000 && !(seq.hi === 0x7fffffff && seq.lo === 0xffffffff);
    if (!anyU64(m[1]!, dw0) || !anyU64(m[2]!, dw1) || !seqOk) return 'invalid';
    out.seqHi = seq.hi;
    out.seqLo = seq.lo;
    out.rid = bitsOf(dw0, 16, 16);
    out.pasid = bitsOf(dw0, 32, 20);
    out.prgi = bitsOf(dw1, 3, 9);
    out.last = bitsOf(dw1, 2, 1);
    out.addrHi = dw1.hi;
    out.addrLo = (dw1.lo & 0xfffff000) >>> 0;
    out.perm = permBits(bitsOf(dw1, 0, 1) === 1, bitsOf(dw1, 1, 1) === 1, bitsOf(dw0, 52, 1) === 1, bitsOf(dw0, 53, 1) === 1);
    return 'ok';
  },
  invalid: 'raw prq_report field is not a 64-bit number',
};
