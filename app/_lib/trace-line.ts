// A stored event shown as a trace line: its exact timestamp in seconds (the tracer's own unit)
// and its decoded fields in the order the kernel prints them. The raw line text is not stored,
// so this is a rendering of the decoded event, never a copy of the file's text.

import type { TraceLine } from '@/lib/queries/group-explorer.ts';
import { CODE_NAMES } from './format.ts';

/** ns on the tracer clock as seconds with all nine decimals (exact: string arithmetic on the decimal). */
export function secondsText(ns: string | null): string {
  if (ns === null) return '—';
  const neg = ns.startsWith('-');
  const digits = (neg ? ns.slice(1) : ns).padStart(10, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -9).replace(/^0+(?=\d)/, '')}.${digits.slice(-9)}`;
}

const hex = (n: number | null) => (n === null ? null : `0x${n.toString(16)}`);

export function eventFields(l: TraceLine): string {
  const parts: (string | null)[] = [];
  if (l.iommu || l.device) parts.push([l.iommu, l.device].filter(Boolean).join('/'));
  if (l.kind === 'page_request' || l.kind === 'page_response' || l.kind === 'unrecoverable_fault') {
    if (l.seq !== null) parts.push(`seq# ${l.seq}`);
    if (l.rid !== null) parts.push(`rid=${hex(l.rid)}`);
    if (l.addr !== null) parts.push(`addr=0x${BigInt(l.addr).toString(16)}`);
    if (l.perm !== null && l.kind === 'page_request') parts.push(`perm=${l.perm || '(none)'}`);
    if (l.pasid !== null) parts.push(`pasid=${hex(l.pasid)}`);
    if (l.prgi !== null) parts.push(`index=${hex(l.prgi)}`);
    if (l.last) parts.push('last');
    if (l.code !== null) parts.push(`code=${CODE_NAMES[l.code] ?? l.code}`);
  }
  if (l.detail) parts.push(l.detail);
  return parts.filter(Boolean).join(' ');
}
