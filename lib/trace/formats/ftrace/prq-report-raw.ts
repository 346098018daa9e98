// prq_report as trace-cmd / libtraceevent print it: the print fmt calls a kernel helper that
// libtraceevent cannot evaluate, so it prints `[FAILED TO PARSE]` and the raw fields. We
// decode dw0/dw1 with the VT-d page-request descriptor bit table (reference §1.4). u64
// fields come as %llu or 0x-hex depending on the libtraceevent version: both are accepted.

import { permSql } from '../../schema.ts';
import type { FtraceEventFormat } from './event-format.ts';
import { anyNum, bits, NUM } from './event-format.ts';

const f = 'prqraw';
const dw0 = anyNum(`${f}.dw0`);
const dw1 = anyNum(`${f}.dw1`);

export const prqReportRaw: FtraceEventFormat = {
  id: f,
  describes: 'prq_report rendered by trace-cmd as [FAILED TO PARSE] with raw dw0..dw3',
  events: ['prq_report'],
  when: "starts_with(msg, '[FAILED TO PARSE]')",
  pattern: `^\\[FAILED TO PARSE\\] dw0=(${NUM}) dw1=(${NUM}) dw2=${NUM} dw3=${NUM} seq=(${NUM}) iommu=(\\S+) dev=(\\S+)`,
  captures: ['dw0', 'dw1', 'seq', 'iommu', 'dev'],
  columns: {
    kind: "'page_request'",
    iommu: `${f}.iommu`,
    device: `${f}.dev`,
    seq: `CAST(${anyNum(`${f}.seq`)} AS BIGINT)`,
    rid: `CAST(${bits(dw0, 16, 16)} AS INTEGER)`,
    pasid: `CAST(${bits(dw0, 32, 20)} AS INTEGER)`,
    prgi: `CAST(${bits(dw1, 3, 9)} AS INTEGER)`,
    last: `${bits(dw1, 2, 1)} = 1`,
    addr: `(${dw1} >> 12) << 12`,
    perm: permSql(`${bits(dw1, 0, 1)} = 1`, `${bits(dw1, 1, 1)} = 1`, `${bits(dw0, 52, 1)} = 1`, `${bits(dw0, 53, 1)} = 1`),
  },
  valid: `${dw0} IS NOT NULL AND ${dw1} IS NOT NULL AND ${anyNum(`${f}.seq`)} < 9223372036854775807`,
  invalid: 'raw prq_report field is not a 64-bit number',
};
