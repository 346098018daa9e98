// iommu:dev_fault / iommu:dev_page_response — never merged into mainline; vendor trees carry
// them in three variants (reference §1.3). A: `last=%d prot=%d`; B and C: `fetch=… flags=%x
// prot=%d` (flags 0x2 = last page). C's response drops `addr=`. dev_fault type 1 is an
// unrecoverable fault, type 2 a page request. These events carry no IOMMU name.

import { PASID_LIMIT, PRGI_LIMIT } from '../../schema.ts';
import { EventFields, hexU64, NWS, permBits, type FtraceEventFormat, type U64 } from './event-format.ts';
import { KIND_CODE } from './kind-codes.ts';

const FAULT = new RegExp(
  `^IOMMU:(${NWS}+) type=([0-9]{1,3}) reason=([0-9]{1,5}) addr=0x([0-9a-fA-F]{1,16})(?: fetch=0x[0-9a-fA-F]{1,16})? pasid=([0-9]{1,10}) group=([0-9]{1,10}) (?:last=([01])|flags=([0-9a-fA-F]{1,8})) prot=([0-9]{1,3})`,
);
const addr: U64 = { hi: 0, lo: 0 };

export const devFault: FtraceEventFormat = {
  id: 'df',
  describes: 'iommu:dev_fault (vendor trees; variants A, B, C)',
  events: ['dev_fault'],
  decode(msg: string, out: EventFields) {
    const m = FAULT.exec(msg);
    if (!m) return 'malformed';
    const type = m[2]!;
    const pasid = Number(m[5]!);
    const group = Number(m[6]!);
    const prot = Number(m[9]!);
    if ((type !== '1' && type !== '2') || pasid >= PASID_LIMIT || group >= PRGI_LIMIT || prot >= 16) return 'invalid';
    out.kind = type === '2' ? KIND_CODE.page_request : KIND_CODE.unrecoverable_fault;
    out.device = m[1]!;
    hexU64(m[4]!, addr);
    out.addrHi = addr.hi;
    out.addrLo = addr.lo;
    out.pasid = pasid;
    out.prgi = group;
    out.last = m[7] !== undefined ? (m[7] === '1' ? 1 : 0) : (Number.parseInt(m[8]!, 16) & 2) === 2 ? 1 : 0;
    out.perm = permBits((prot & 1) === 1, (prot & 2) === 2, (prot & 4) === 4, (prot & 8) === 8);
    if (type === '1') out.detail = `reason=${m[3]!}`;
    return 'ok';
  },
  invalid: 'dev_fault type is not 1 or 2, or pasid/group/prot out of range',
};

const RESPONSE = new RegExp(`^IOMMU:(${NWS}+) code=([0-9]{1,3})(?: addr=0x[0-9a-fA-F]{1,16})? pasid=([0-9]{1,10}) group=([0-9]{1,10})`);

export const devPageResponse: FtraceEventFormat = {
  id: 'dpr',
  describes: 'iommu:dev_page_response (vendor trees; variants A/B with addr, C without)',
  events: ['dev_page_response'],
  decode(msg: string, out: EventFields) {
    const m = RESPONSE.exec(msg);
    if (!m) return 'malformed';
    const code = m[2]!;
    const pasid = Number(m[3]!);
    const group = Number(m[4]!);
    if ((code !== '0' && code !== '1' && code !== '2') || pasid >= PASID_LIMIT || group >= PRGI_LIMIT) return 'invalid';
    out.kind = KIND_CODE.page_response;
    out.device = m[1]!;
    out.pasid = pasid;
    out.prgi = group;
    out.code = Number(code);
    return 'ok';
  },
  invalid: 'dev_page_response code is not 0, 1 or 2, or pasid/group out of range',
};
