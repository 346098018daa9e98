// intel_iommu:qi_submit (v5.12+): every invalidation-queue descriptor. Type page_grp_resp is a
// page response (qw0: code 15:12, RID 31:16, PASID 51:32; qw1: LPIG bit 2, PRG index 11:3);
// every other type (iotlb_inv, dev_tlb_inv, ...) is kept as context. VT-d codes 0x0/0x1/0xf
// are normalised to 0 success / 1 invalid / 2 failure.

import type { FtraceEventFormat } from './event-format.ts';
import { anyNum, bits, NUM } from './event-format.ts';

const f = 'qi';
const qw0 = anyNum(`${f}.qw0`);
const qw1 = anyNum(`${f}.qw1`);
const isResp = `${f}.type = 'page_grp_resp'`;
const vtdCode = bits(qw0, 12, 4);

export const qiSubmit: FtraceEventFormat = {
  id: f,
  describes: 'intel_iommu:qi_submit (page_grp_resp = page response; other types = context)',
  events: ['qi_submit'],
  pattern: `^(\\w+) (\\S+): (${NUM}) (${NUM}) (${NUM}) (${NUM})`,
  captures: ['type', 'iommu', 'qw0', 'qw1', 'qw2', 'qw3'],
  columns: {
    kind: `CASE WHEN ${isResp} THEN 'page_response' ELSE 'context' END`,
    iommu: `${f}.iommu`,
    rid: `CASE WHEN ${isResp} THEN CAST(${bits(qw0, 16, 16)} AS INTEGER) END`,
    pasid: `CASE WHEN ${isResp} THEN CAST(${bits(qw0, 32, 20)} AS INTEGER) END`,
    prgi: `CASE WHEN ${isResp} THEN CAST(${bits(qw1, 3, 9)} AS INTEGER) END`,
    last: `CASE WHEN ${isResp} THEN ${bits(qw1, 2, 1)} = 1 END`,
    code: `CASE WHEN ${isResp} THEN CASE ${vtdCode} WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 15 THEN 2 END END`,
    detail: `CASE WHEN NOT ${isResp} THEN msg END`,
  },
  valid: `${qw0} IS NOT NULL AND ${qw1} IS NOT NULL AND (NOT ${isResp} OR ${vtdCode} IN (0, 1, 15))`,
  invalid: 'qi_submit descriptor word is not a 64-bit number, or page_grp_resp code is not 0x0, 0x1 or 0xf',
};
