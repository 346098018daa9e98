// intel_iommu:prq_report (v5.14+): one Intel VT-d page request as the kernel's
// decode_prq_descriptor() prints it:
//   dmar0/0000:00:0a.0 seq# 17: rid=0x50 addr=0x559ef6f97 r---l pasid=0x2 index=0x1
// `addr` is a page NUMBER (VA >> 12), stored as bytes. Flags are r w x p l; `l` (LPIG) is the
// last page of its group. A ` private=…` suffix (PDP set, ≤ v6.9) is ignored.

import { permSql } from '../../schema.ts';
import type { FtraceEventFormat } from './event-format.ts';
import { field, kv, num } from './event-format.ts';

const where = field(1);
const flags = field(6);
const flag = (i: number) => `substr(${flags}, ${i}, 1)`;
const pasid = num(kv('pasid'));
const index = num(kv('index'));
const seq = `TRY_CAST(rtrim(${field(3)}, ':') AS BIGINT)`;

export const prqReport: FtraceEventFormat = {
  id: 'prq',
  describes: 'intel_iommu:prq_report (Intel VT-d page request, v5.14+)',
  events: ['prq_report'],
  when: "NOT starts_with(msg, '[FAILED TO PARSE]')",
  pattern:
    '^[^/ ]+/\\S+ seq# [0-9]{1,19}: rid=0x[0-9a-fA-F]{1,4} addr=0x[0-9a-fA-F]{1,13} [r-][w-][x-][p-][l-] pasid=0x[0-9a-fA-F]{1,5} index=0x[0-9a-fA-F]{1,3}(?: |$)',
  columns: {
    kind: "'page_request'",
    iommu: `split_part(${where}, '/', 1)`,
    device: `substr(${where}, strpos(${where}, '/') + 1)`,
    seq,
    rid: `CAST(${num(kv('rid'))} AS INTEGER)`,
    addr: `${num(kv('addr'))} * 4096`,
    perm: permSql(`${flag(1)} = 'r'`, `${flag(2)} = 'w'`, `${flag(3)} = 'x'`, `${flag(4)} = 'p'`),
    last: `${flag(5)} = 'l'`,
    pasid: `CAST(${pasid} AS INTEGER)`,
    prgi: `CAST(${index} AS INTEGER)`,
  },
  valid: `${pasid} < 1048576 AND ${index} < 512 AND ${seq} IS NOT NULL`,
  invalid: 'prq_report field out of range (pasid ≥ 2^20, index ≥ 512 or seq# too large)',
};
