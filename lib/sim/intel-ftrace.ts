// Writes simulator events as a v6.9+ kernel's tracing/trace file prints Intel VT-d events
// (reference §1.4, §1.6): `# tracer: nop` header, context `%16s-%-7d [%03d] ` + 5 flags +
// ` %5lu.%06lu: `, prq_report lines (addr is a page number) and qi_submit page_grp_resp lines.
// ftrace prints µs (ns2usecs rounds), so latencies read back from this text are µs-quantised.

import { LineBatcher } from './format.ts';
import { KIND_REQUEST, type SimEvents } from './simulate.ts';
import { PERM_P, PERM_R, PERM_W, PERM_X } from '../replay/types.ts';

const HEADER = [
  '# tracer: nop',
  '#',
  '# entries-in-buffer/entries-written: {N}/{N}   #P:{CPUS}',
  '#',
  '#                                _-----=> irqs-off/BH-disabled',
  '#                               / _----=> need-resched',
  '#                              | / _---=> hardirq/softirq',
  '#                              || / _--=> preempt-depth',
  '#                              ||| / _-=> migrate-disable',
  '#                              |||| /     delay',
  '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION',
  '#              | |         |   |||||     |         |',
];

/** VT-d page group response codes (QI_RESP_*): success 0x0, invalid 0x1, failure 0xf. */
const VTD_CODE = [0x0, 0x1, 0xf];

/** `%5lu.%06lu` of a ns clock, rounded to the microsecond like ns2usecs. */
export function ftraceTimestamp(ns: bigint): string {
  const us = (ns + 500n) / 1000n;
  return `${(us / 1_000_000n).toString().padStart(5)}.${(us % 1_000_000n).toString().padStart(6, '0')}`;
}

/** page_grp_resp qw0: pasid<<32 | rid<<16 | code<<12 | PASID-present<<4 | type 0x9. */
export function pageGroupResponseQw0(pasid: number, rid: number, code: number): bigint {
  return (BigInt(pasid) << 32n) | (BigInt(rid) << 16n) | (BigInt(VTD_CODE[code]!) << 12n) | (1n << 4n) | 0x9n;
}

/** page_grp_resp qw1: PRG index<<3 | LPIG<<2 (always set: one response per group). */
export function pageGroupResponseQw1(prgi: number): bigint {
  return (BigInt(prgi) << 3n) | (1n << 2n);
}

export function writeIntelFtrace(ev: SimEvents, emit: (chunk: string) => void): void {
  const out = new LineBatcher(emit);
  for (const h of HEADER) out.line(h.replaceAll('{N}', String(ev.count)).replace('{CPUS}', String(ev.cpus)));
  for (let e = 0; e < ev.count; e++) {
    const task = ev.tasks[ev.task[e]!]!;
    const isRequest = ev.kind[e] === KIND_REQUEST;
    // prq_report runs in the threaded IRQ handler with nothing held; qi_submit under
    // raw_spin_lock_irqsave (reference §1.8).
    const flags = isRequest ? '.....' : 'd..1.';
    const context = `${task.comm.padStart(16)}-${String(task.pid).padEnd(7)} [${String(ev.cpu[e]).padStart(3, '0')}] ${flags} ${ftraceTimestamp(ev.tsNs[e]!)}: `;
    const iommu = ev.iommus[ev.iommu[e]!]!;
    if (isRequest) {
      const p = ev.perm[e]!;
      const flagText = (p & PERM_R ? 'r' : '-') + (p & PERM_W ? 'w' : '-') + (p & PERM_X ? 'x' : '-') + (p & PERM_P ? 'p' : '-') + (ev.last[e] ? 'l' : '-');
      out.line(
        `${context}prq_report: ${iommu}/${ev.devices[ev.device[e]!]} seq# ${ev.seq[e]}: rid=0x${ev.rid[e]!.toString(16)} ` +
          `addr=0x${ev.page[e]!.toString(16)} ${flagText} pasid=0x${ev.pasid[e]!.toString(16)} index=0x${ev.prgi[e]!.toString(16)}`,
      );
    } else {
      const qw0 = pageGroupResponseQw0(ev.pasid[e]!, ev.rid[e]!, ev.code[e]!);
      const qw1 = pageGroupResponseQw1(ev.prgi[e]!);
      out.line(`${context}qi_submit: page_grp_resp ${iommu}: 0x${qw0.toString(16)} 0x${qw1.toString(16)} 0x0 0x0`);
    }
  }
  out.flush();
}
