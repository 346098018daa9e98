// iommu:dev_fault / iommu:dev_page_response — never merged into mainline; vendor trees carry
// them in three variants (reference §1.3). A: `last=%d prot=%d`; B and C: `fetch=… flags=%x
// prot=%d` (flags 0x2 = last page). C's response drops `addr=`. dev_fault type 1 is an
// unrecoverable fault, type 2 a page request. These events carry no IOMMU name.

import { permSql } from '../../schema.ts';
import type { FtraceEventFormat } from './event-format.ts';

const f = 'df';
const prot = `TRY_CAST(${f}.prot AS INTEGER)`;
const flags = `TRY_CAST('0x' || ${f}.flags AS INTEGER)`;
const pasid = `TRY_CAST(${f}.pasid AS BIGINT)`;
const group = `TRY_CAST(${f}.grp AS BIGINT)`;

export const devFault: FtraceEventFormat = {
  id: f,
  describes: 'iommu:dev_fault (vendor trees; variants A, B, C)',
  events: ['dev_fault'],
  pattern:
    '^IOMMU:(\\S+) type=([0-9]{1,3}) reason=([0-9]{1,5}) addr=0x([0-9a-fA-F]{1,16})(?: fetch=0x[0-9a-fA-F]{1,16})? pasid=([0-9]{1,10}) group=([0-9]{1,10}) (?:last=([01])|flags=([0-9a-fA-F]{1,8})) prot=([0-9]{1,3})',
  captures: ['dev', 'type', 'reason', 'addr', 'pasid', 'grp', 'last', 'flags', 'prot'],
  columns: {
    kind: `CASE ${f}.type WHEN '2' THEN 'page_request' WHEN '1' THEN 'unrecoverable_fault' END`,
    device: `${f}.dev`,
    addr: `TRY_CAST('0x' || ${f}.addr AS UBIGINT)`,
    pasid: `CAST(${pasid} AS INTEGER)`,
    prgi: `CAST(${group} AS INTEGER)`,
    last: `CASE WHEN ${f}.last <> '' THEN ${f}.last = '1' ELSE (${flags} & 2) = 2 END`,
    perm: permSql(`(${prot} & 1) = 1`, `(${prot} & 2) = 2`, `(${prot} & 4) = 4`, `(${prot} & 8) = 8`),
    detail: `CASE WHEN ${f}.type = '1' THEN 'reason=' || ${f}.reason END`,
  },
  valid: `${f}.type IN ('1', '2') AND ${pasid} < 1048576 AND ${group} < 512 AND ${prot} < 16`,
  invalid: 'dev_fault type is not 1 or 2, or pasid/group/prot out of range',
};

const r = 'dpr';
const rPasid = `TRY_CAST(${r}.pasid AS BIGINT)`;
const rGroup = `TRY_CAST(${r}.grp AS BIGINT)`;

export const devPageResponse: FtraceEventFormat = {
  id: r,
  describes: 'iommu:dev_page_response (vendor trees; variants A/B with addr, C without)',
  events: ['dev_page_response'],
  pattern: '^IOMMU:(\\S+) code=([0-9]{1,3})(?: addr=0x[0-9a-fA-F]{1,16})? pasid=([0-9]{1,10}) group=([0-9]{1,10})',
  captures: ['dev', 'code', 'pasid', 'grp'],
  columns: {
    kind: "'page_response'",
    device: `${r}.dev`,
    pasid: `CAST(${rPasid} AS INTEGER)`,
    prgi: `CAST(${rGroup} AS INTEGER)`,
    code: `TRY_CAST(${r}.code AS SMALLINT)`,
  },
  valid: `${r}.code IN ('0', '1', '2') AND ${rPasid} < 1048576 AND ${rGroup} < 512`,
  invalid: 'dev_page_response code is not 0, 1 or 2, or pasid/group out of range',
};
