// intel_iommu:prq_report (v5.14+): one Intel VT-d page request as the kernel's
// decode_prq_descriptor() prints it. `addr` is a page NUMBER (VA >> 12), stored as bytes.
// Flags are r w x p l; `l` (LPIG) is the last page of its group.

import { permSql } from '../../schema.ts';
import type { FtraceEventFormat } from './event-format.ts';
import { hexDigits } from './event-format.ts';

const f = 'prq';

export const prqReport: FtraceEventFormat = {
  id: f,
  describes: 'intel_iommu:prq_report (Intel VT-d page request, v5.14+)',
  events: ['prq_report'],
  when: "NOT starts_with(msg, '[FAILED TO PARSE]')",
  pattern:
    '^([^/ ]+)/(\\S+) seq# ([0-9]{1,20}): rid=0x([0-9a-fA-F]{1,4}) addr=0x([0-9a-fA-F]{1,13}) ([r-])([w-])([x-])([p-])([l-]) pasid=0x([0-9a-fA-F]{1,5}) index=0x([0-9a-fA-F]{1,3})',
  captures: ['iommu', 'dev', 'seq', 'rid', 'addr', 'r', 'w', 'x', 'p', 'l', 'pasid', 'idx'],
  columns: {
    kind: "'page_request'",
    iommu: `${f}.iommu`,
    device: `${f}.dev`,
    seq: `TRY_CAST(${f}.seq AS BIGINT)`,
    rid: `CAST(${hexDigits(`${f}.rid`)} AS INTEGER)`,
    addr: `${hexDigits(`${f}.addr`)} * 4096`,
    perm: permSql(`${f}.r = 'r'`, `${f}.w = 'w'`, `${f}.x = 'x'`, `${f}.p = 'p'`),
    last: `${f}.l = 'l'`,
    pasid: `CAST(${hexDigits(`${f}.pasid`)} AS INTEGER)`,
    prgi: `CAST(${hexDigits(`${f}.idx`)} AS INTEGER)`,
  },
  valid: `${hexDigits(`${f}.pasid`)} < 1048576 AND ${hexDigits(`${f}.idx`)} < 512 AND TRY_CAST(${f}.seq AS BIGINT) IS NOT NULL`,
  invalid: 'prq_report field out of range (pasid ≥ 2^20, index ≥ 512 or seq# too large)',
};
