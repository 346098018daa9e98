// intel_iommu:qi_submit (v5.12+): every invalidation-queue descriptor. Type page_grp_resp is a
// page response (qw0: code 15:12, RID 31:16, PASID 51:32; qw1: LPIG bit 2, PRG index 11:3);
// every other type (iotlb_inv, dev_tlb_inv, ...) is kept as context. VT-d codes 0x0/0x1/0xf
// are normalised to 0 success / 1 invalid / 2 failure.

import { anyU64, bitsOf, EventFields, NUM, NWS, type FtraceEventFormat, type U64 } from './event-format.ts';
import { KIND_CODE } from './kind-codes.ts';

const PATTERN = new RegExp(`^(\\w+) (${NWS}+): (${NUM}) (${NUM}) (${NUM}) (${NUM})`);
const qw0: U64 = { hi: 0, lo: 0 };
const qw1: U64 = { hi: 0, lo: 0 };
const VTD_CODE: Record<number, number> = { 0: 0, 1: 1, 15: 2 };

export const qiSubmit: FtraceEventFormat = {
  id: 'qi',
  describes: 'intel_iommu:qi_submit (page_grp_resp = page response; other types = context)',
  events: ['qi_submit'],
  decode(msg: string, out: EventFields) {
    const m = PATTERN.exec(msg);
    if (!m) return 'malformed';
    out.iommu = m[2]!;
    if (!anyU64(m[3]!, qw0) || !anyU64(m[4]!, qw1)) return 'invalid';
    if (m[1] !== 'page_grp_resp') {
      out.kind = KIND_CODE.context;
      out.detail = msg;
      return 'ok';
    }
    const code = VTD_CODE[bitsOf(qw0, 12, 4)];
    if (code === undefined) return 'invalid';
    out.kind = KIND_CODE.page_response;
    out.rid = bitsOf(qw0, 16, 16);
    out.pasid = bitsOf(qw0, 32, 20);
    out.prgi = bitsOf(qw1, 3, 9);
    out.last = bitsOf(qw1, 2, 1);
    out.code = code;
    return 'ok';
  },
  invalid: 'qi_submit descriptor word is not a 64-bit number, or page_grp_resp code is not 0x0, 0x1 or 0xf',
};

/**
 * Intel responses carry only the RID: their device is the one whose requests on the same
 * IOMMU had that RID (the first such request in the file), failing that the RID spelled as
 * a PCI name on segment 0.
 */
export function responseDeviceFromRid(rid: number, requestDevice: string | undefined): string {
  if (requestDevice !== undefined) return requestDevice;
  const hex2 = (n: number) => n.toString(16).padStart(2, '0');
  return `0000:${hex2(rid >> 8)}:${hex2((rid >> 3) & 31)}.${(rid & 7).toString(16)}`;
}
