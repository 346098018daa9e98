// Writes the small sample traces in traces/ — one per input format and ftrace prefix variant —
// from scenarios written out below as data. Run: `node --import tsx scripts/make-samples.ts`.
// Output is a pure function of this file (no clock, no randomness): running it twice gives
// byte-identical files. The hand-computed results for every sample are in
// tests/fixtures/expected.ts; change a scenario here and that file must be redone by hand.
// Line layouts follow reference/kernel-pri.md §1.2–§1.8 and the kernel/trace-cmd format strings
// quoted there (`%16s-%-7d`, `[%03d]`, ` %5lu.%06lu`, trace-cmd's 20-column event names).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const OUT_DIR = join(import.meta.dirname, '..', 'traces');

// ---------------------------------------------------------------------------------------------
// Small formatting helpers (printf equivalents)

const hex = (v: bigint | number): string => v.toString(16);
const hex16 = (v: bigint): string => v.toString(16).padStart(16, '0');
const cpu3 = (cpu: number): string => String(cpu).padStart(3, '0');

/** ftrace/trace-cmd time: `%5lu.%06lu` from integer microseconds since boot. */
function secsUsec(us: number): string {
  const secs = Math.floor(us / 1_000_000);
  const usec = us % 1_000_000;
  return `${String(secs).padStart(5)}.${String(usec).padStart(6, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Who emits the events: comm, pid, tgid (null = not recorded → `(-------)`), CPU.

interface Thread {
  comm: string;
  pid: number;
  tgid: number | null;
  cpu: number;
}

interface Ctx {
  us: number; // timestamp, µs since boot
  t: Thread;
  flags: string; // 5-char irq-info flags (v5.15+); 4-char variants drop the last character
}

// ---------------------------------------------------------------------------------------------
// ftrace headers, built from the kernel's seq_printf strings (kernel/trace/trace.c)

function eventInfo(entries: number, written: number, cpus: number): string[] {
  return ['# tracer: nop', '#', `# entries-in-buffer/entries-written: ${entries}/${written}   #P:${cpus}`, '#'];
}

/** v5.18+ `trace` header, irq-info on, record-tgid off (prec = 2). */
function headerV518(entries: number, written: number, cpus: number): string[] {
  const sp = '  ';
  const pre = '#                            ';
  return [
    ...eventInfo(entries, written, cpus),
    `${pre}${sp}  _-----=> irqs-off/BH-disabled`,
    `${pre}${sp} / _----=> need-resched`,
    `${pre}${sp}| / _---=> hardirq/softirq`,
    `${pre}${sp}|| / _--=> preempt-depth`,
    `${pre}${sp}||| / _-=> migrate-disable`,
    `${pre}${sp}|||| /     delay`,
    `#           TASK-PID  ${'     TGID   '.slice(0, 2)} CPU#  |||||  TIMESTAMP  FUNCTION`,
    `#              | |    ${'       |    '.slice(0, 2)}   |   |||||     |         |`,
  ];
}

/** v5.10 – v5.14 `trace` header: 4 flag columns, 7-wide pid. */
function headerV510(entries: number, written: number, cpus: number): string[] {
  const sp = '  ';
  const pre = '#                            ';
  return [
    ...eventInfo(entries, written, cpus),
    `${pre}${sp}  _-----=> irqs-off`,
    `${pre}${sp} / _----=> need-resched`,
    `${pre}${sp}| / _---=> hardirq/softirq`,
    `${pre}${sp}|| / _--=> preempt-depth`,
    `${pre}${sp}||| /     delay`,
    `#           TASK-PID  ${'     TGID   '.slice(0, 2)} CPU#  ||||   TIMESTAMP  FUNCTION`,
    `#              | |    ${'       |    '.slice(0, 2)}   |   ||||      |         |`,
  ];
}

/** Before v5.10: 4 flag columns, 5-wide pid. */
function headerPre510(entries: number, written: number, cpus: number): string[] {
  const sp = '  ';
  const pre = '#                          ';
  return [
    ...eventInfo(entries, written, cpus),
    `${pre}${sp}  _-----=> irqs-off`,
    `${pre}${sp} / _----=> need-resched`,
    `${pre}${sp}| / _---=> hardirq/softirq`,
    `${pre}${sp}|| / _--=> preempt-depth`,
    `${pre}${sp}||| /     delay`,
    `#           TASK-PID ${'   TGID   '.slice(0, 2)}CPU#  ||||    TIMESTAMP  FUNCTION`,
    `#              | |   ${'     |    '.slice(0, 2)}  |   ||||       |         |`,
  ];
}

/** irq-info off, record-tgid on (print_func_help_header with tgid). */
function headerNoIrqTgid(entries: number, written: number, cpus: number): string[] {
  return [
    ...eventInfo(entries, written, cpus),
    `#           TASK-PID    ${'   TGID   '} CPU#     TIMESTAMP  FUNCTION`,
    `#              | |      ${'     |    '}   |         |         |`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Line prefixes

interface FtraceStyle {
  pidWidth: 5 | 7;
  flagChars: 0 | 4 | 5;
  tgid: boolean;
}

/** `%16s-%-Nd ` [`(%7d) `] `[%03d] ` [flags] ` %5lu.%06lu: ` — trace_print_context(). */
function ftracePrefix(c: Ctx, st: FtraceStyle): string {
  let s = `${c.t.comm.padStart(16)}-${String(c.t.pid).padEnd(st.pidWidth)} `;
  if (st.tgid) s += c.t.tgid === null ? '(-------) ' : `(${String(c.t.tgid).padStart(7)}) `;
  s += `[${cpu3(c.t.cpu)}] `;
  if (st.flagChars > 0) s += c.flags.slice(0, st.flagChars);
  return `${s} ${secsUsec(c.us)}: `;
}

function ftraceLine(c: Ctx, st: FtraceStyle, event: string, msg: string): string {
  return `${ftracePrefix(c, st)}${event}: ${msg}`;
}

/** trace-cmd report: `%16s-%-5d [%03d]`, ` %5lu.%06lu:`, then ` %s: ` padded to 20 columns. */
function traceCmdLine(c: Ctx, event: string, msg: string): string {
  const pad = ' '.repeat(Math.max(0, 20 - event.length));
  return `${c.t.comm.padStart(16)}-${String(c.t.pid).padEnd(5)} [${cpu3(c.t.cpu)}] ${secsUsec(c.us)}: ${event}: ${pad}${msg}`;
}

// ---------------------------------------------------------------------------------------------
// Shared event messages

function mapMsg(iova: bigint, size: number, paddr: bigint, fmt: 'old' | 'new'): string {
  return fmt === 'new'
    ? `IOMMU: iova=0x${hex16(iova)} - 0x${hex16(iova + BigInt(size))} paddr=0x${hex16(paddr)} size=${size}`
    : `IOMMU: iova=0x${hex16(iova)} paddr=0x${hex16(paddr)} size=${size}`;
}

function unmapMsg(iova: bigint, size: number, fmt: 'old' | 'new'): string {
  return fmt === 'new'
    ? `IOMMU: iova=0x${hex16(iova)} - 0x${hex16(iova + BigInt(size))} size=${size} unmapped_size=${size}`
    : `IOMMU: iova=0x${hex16(iova)} size=${size} unmapped_size=${size}`;
}

interface Sched {
  prevComm: string;
  prevPid: number;
  state: string;
  nextComm: string;
  nextPid: number;
}

/** Kernel TP_printk of sched_switch. */
function schedMsgKernel(s: Sched): string {
  return `prev_comm=${s.prevComm} prev_pid=${s.prevPid} prev_prio=120 prev_state=${s.state} ==> next_comm=${s.nextComm} next_pid=${s.nextPid} next_prio=120`;
}

/** libtraceevent's sched_switch plugin (what trace-cmd report prints). */
function schedMsgPlugin(s: Sched): string {
  return `${s.prevComm}:${s.prevPid} [120] ${s.state} ==> ${s.nextComm}:${s.nextPid} [120]`;
}

// =============================================================================================
// 1. Intel VT-d scenario (files intel-*.txt): prq_report / qi_submit on two IOMMUs
// =============================================================================================

interface Dev {
  name: string;
  rid: bigint;
  iommu: string;
}

const D1: Dev = { name: '0000:00:0a.0', rid: 0x50n, iommu: 'dmar0' };
const D2: Dev = { name: '0000:00:0b.0', rid: 0x58n, iommu: 'dmar0' };
const D3: Dev = { name: '0000:6a:01.0', rid: 0x6a08n, iommu: 'dmar1' };

const PRQ0: Thread = { comm: 'irq/56-dmar0-pr', pid: 1042, tgid: 1042, cpu: 6 };
const PRQ1: Thread = { comm: 'irq/57-dmar1-pr', pid: 1043, tgid: 1043, cpu: 2 };
const KW3: Thread = { comm: 'kworker/u16:3', pid: 2215, tgid: null, cpu: 1 };
const KW1: Thread = { comm: 'kworker/u16:1', pid: 2201, tgid: null, cpu: 3 };
const KW0: Thread = { comm: 'kworker/u16:0', pid: 11, tgid: 11, cpu: 7 };
const UDEV: Thread = { comm: '(udev-worker)', pid: 532, tgid: 532, cpu: 4 };
const MYW: Thread = { comm: 'my worker-1', pid: 77, tgid: 70, cpu: 0 };

type Perm = 'r' | 'w' | 'rw' | '';

type IntelEv =
  | (Ctx & { kind: 'prq'; dev: Dev; pasid: bigint; prgi: bigint; page: bigint; perm: Perm; last: boolean })
  | (Ctx & { kind: 'resp'; iommu: string; rid: bigint; pasid: bigint; prgi: bigint; code: bigint })
  | (Ctx & { kind: 'qi'; type: string; iommu: string; qw: [bigint, bigint, bigint, bigint] })
  | (Ctx & { kind: 'map'; iova: bigint; size: number; paddr: bigint })
  | (Ctx & { kind: 'unmap'; iova: bigint; size: number })
  | (Ctx & { kind: 'sched'; s: Sched })
  | { kind: 'lost'; style: 'ftrace' | 'tracecmd'; cpu: number; count: number };

const T0 = 5823_100_000; // 5823.100000 s in µs

function prq(off: number, t: Thread, dev: Dev, pasid: number, prgi: number, page: bigint, perm: Perm, last: boolean): IntelEv {
  return { kind: 'prq', us: T0 + off, t, flags: '.....', dev, pasid: BigInt(pasid), prgi: BigInt(prgi), page, perm, last };
}

function resp(off: number, t: Thread, dev: Dev, pasid: number, prgi: number, code: number): IntelEv {
  return { kind: 'resp', us: T0 + off, t, flags: 'd..1.', iommu: dev.iommu, rid: dev.rid, pasid: BigInt(pasid), prgi: BigInt(prgi), code: BigInt(code) };
}

function qi(off: number, t: Thread, type: string, iommu: string, qw: [bigint, bigint, bigint, bigint]): IntelEv {
  return { kind: 'qi', us: T0 + off, t, flags: 'd..1.', type, iommu, qw };
}

// The scenario. Groups (key = iommu, device, PASID, PRG index) and what each one covers:
//  G1  D1 p2 i1   two requests (r---- then rw--l, the real §4.1 lines), answered: latency 5 µs
//  G3  D3 p3 i1a  single request on dmar1, answered: 4 µs
//  G2  D1 p2 i1   index reuse after G1 was answered (§4.1 lines 3–4): 9 µs
//  G4  D2 p5 i3   answered with code Invalid (qw0 15:12 = 0x1): 6 µs
//  G5  D1 p3 i2   write-only request: 7 µs
//  G6  D3 p2 i4   three requests, a LOST marker on CPU 2 between them: 11 µs
//  G7  D2 p5 i5   answered with Failure (0xf); D2 sends nothing afterwards: 14 µs
//  G8  D1 p2 i8   40 µs
//  --  orphan: INVALID response from the PRQ thread for D1 p2 i7 (a request the driver
//      rejected before tracing it), no group has that key
//  G9  D3 p3 i1a  second reuse of G3's key: 40 µs
//  G10 D1 p3 i9   answered by another kworker: 9 µs
//  I1  D3 p2 i30  two requests without the last flag: incomplete at trace end
//  U1  D1 p2 i11  completed (r---l) but never answered: unanswered
const INTEL: IntelEv[] = [
  { kind: 'map', us: T0 - 129, t: UDEV, flags: '.....', iova: 0xffe00000n, size: 262144, paddr: 0x12a4c0000n },
  { kind: 'sched', us: T0 - 98, t: MYW, flags: 'd..2.', s: { prevComm: 'my worker-1', prevPid: 77, state: 'S', nextComm: 'swapper/0', nextPid: 0 } },
  prq(0, PRQ0, D1, 2, 0x1, 0x559ef6f97n, 'r', false),
  prq(4, PRQ0, D1, 2, 0x1, 0x559ef6f9cn, 'rw', true),
  resp(9, KW3, D1, 2, 0x1, 0x0),
  prq(15, PRQ1, D3, 3, 0x1a, 0x7f1c2e4a1n, 'rw', true),
  resp(19, KW1, D3, 3, 0x1a, 0x0),
  prq(20, PRQ0, D1, 2, 0x1, 0x559ef6f98n, 'r', false),
  prq(22, PRQ0, D1, 2, 0x1, 0x559ef6f9dn, 'rw', true),
  resp(31, KW3, D1, 2, 0x1, 0x0),
  prq(50, PRQ0, D2, 5, 0x3, 0x7ffd1a2b3n, 'r', true),
  resp(56, KW3, D2, 5, 0x3, 0x1),
  prq(60, PRQ0, D1, 3, 0x2, 0x7f3a5c01en, 'w', true),
  resp(67, KW3, D1, 3, 0x2, 0x0),
  prq(70, PRQ1, D3, 2, 0x4, 0x7f1c2e4b0n, 'r', false),
  prq(72, PRQ1, D3, 2, 0x4, 0x7f1c2e4b1n, 'r', false),
  { kind: 'lost', style: 'ftrace', cpu: 2, count: 17 },
  prq(75, PRQ1, D3, 2, 0x4, 0x7f1c2e4b2n, 'rw', true),
  { kind: 'lost', style: 'tracecmd', cpu: 3, count: 42 },
  resp(86, KW1, D3, 2, 0x4, 0x0),
  qi(88, KW1, 'dev_tlb_inv', 'dmar1', [0x6a0800000003n, 0x7ffffffffffff001n, 0x0n, 0x0n]),
  prq(90, PRQ0, D2, 5, 0x5, 0x7ffd1a2c0n, 'r', true),
  resp(104, KW3, D2, 5, 0x5, 0xf),
  prq(110, PRQ0, D1, 2, 0x8, 0x559ef6fa0n, 'rw', true),
  resp(120, PRQ0, D1, 2, 0x7, 0x1),
  qi(130, KW3, 'iotlb_inv', 'dmar0', [0x100e2n, 0x0n, 0x0n, 0x0n]),
  resp(150, KW3, D1, 2, 0x8, 0x0),
  prq(160, PRQ1, D3, 3, 0x1a, 0x7f1c2e4c3n, 'r', true),
  qi(170, KW1, 'p_iotlb_inv', 'dmar1', [0x300010036n, 0x7f1c2e4c3000n, 0x0n, 0x0n]),
  resp(200, KW1, D3, 3, 0x1a, 0x0),
  prq(210, PRQ0, D1, 3, 0x9, 0x7f3a5c01fn, 'r', true),
  resp(219, KW0, D1, 3, 0x9, 0x0),
  prq(225, PRQ1, D3, 2, 0x30, 0x7f1c2e4d0n, 'r', false),
  prq(228, PRQ1, D3, 2, 0x30, 0x7f1c2e4d1n, 'r', false),
  prq(230, PRQ0, D1, 2, 0x11, 0x559ef6fa8n, 'r', true),
  { kind: 'unmap', us: T0 + 240, t: UDEV, flags: '.....', iova: 0xffe00000n, size: 262144 },
  { kind: 'map', us: T0 + 251, t: MYW, flags: '.....', iova: 0xfffc0000n, size: 4096, paddr: 0x109e3d000n },
  { kind: 'sched', us: T0 + 262, t: PRQ1, flags: 'd..2.', s: { prevComm: 'irq/57-dmar1-pr', prevPid: 1043, state: 'S', nextComm: 'swapper/2', nextPid: 0 } },
  qi(270, KW1, 'iotlb_inv', 'dmar1', [0x100e2n, 0x0n, 0x0n, 0x0n]),
];

/** seq# of every prq_report: per IOMMU from 0 (v6.1+), and per (device, PASID) bond from 1 (v5.14–v6.0). */
function intelSeqs(evs: IntelEv[]): { perIommu: Map<IntelEv, number>; perBond: Map<IntelEv, number> } {
  const perIommu = new Map<IntelEv, number>();
  const perBond = new Map<IntelEv, number>();
  const iommuCount = new Map<string, number>();
  const bondCount = new Map<string, number>();
  for (const e of evs) {
    if (e.kind !== 'prq') continue;
    const i = iommuCount.get(e.dev.iommu) ?? 0;
    perIommu.set(e, i);
    iommuCount.set(e.dev.iommu, i + 1);
    const key = `${e.dev.name}/${e.pasid}`;
    const b = (bondCount.get(key) ?? 0) + 1;
    perBond.set(e, b);
    bondCount.set(key, b);
  }
  return { perIommu, perBond };
}

const SEQS = intelSeqs(INTEL);

/** decode_prq_descriptor() flags: r w x p l. */
function prqFlags(perm: Perm, last: boolean): string {
  return `${perm.includes('r') ? 'r' : '-'}${perm.includes('w') ? 'w' : '-'}--${last ? 'l' : '-'}`;
}

function prqMsg(e: Extract<IntelEv, { kind: 'prq' }>, seq: number): string {
  return `${e.dev.iommu}/${e.dev.name} seq# ${seq}: rid=0x${hex(e.dev.rid)} addr=0x${hex(e.page)} ${prqFlags(e.perm, e.last)} pasid=0x${hex(e.pasid)} index=0x${hex(e.prgi)}`;
}

/** Page-group-response descriptor: qw0 = pasid<<32 | rid<<16 | code<<12 | PASID-present<<4 | 0x9; qw1 = prgi<<3 | LPIG<<2. */
function respQw(e: Extract<IntelEv, { kind: 'resp' }>): [bigint, bigint, bigint, bigint] {
  const qw0 = (e.pasid << 32n) | (e.rid << 16n) | (e.code << 12n) | (1n << 4n) | 0x9n;
  const qw1 = (e.prgi << 3n) | (1n << 2n);
  return [qw0, qw1, 0n, 0n];
}

function qiMsg(type: string, iommu: string, qw: [bigint, bigint, bigint, bigint]): string {
  return `${type} ${iommu}: 0x${hex(qw[0])} 0x${hex(qw[1])} 0x${hex(qw[2])} 0x${hex(qw[3])}`;
}

/** Raw page-request descriptor (§1.4 bit table) for trace-cmd's [FAILED TO PARSE] fallback. */
function prqDw(e: Extract<IntelEv, { kind: 'prq' }>): [bigint, bigint] {
  const dw0 = 0x1n | (1n << 8n) | (e.dev.rid << 16n) | (e.pasid << 32n);
  const rd = e.perm.includes('r') ? 1n : 0n;
  const wr = e.perm.includes('w') ? 2n : 0n;
  const lpig = e.last ? 4n : 0n;
  const dw1 = rd | wr | lpig | (e.prgi << 3n) | (e.page << 12n);
  return [dw0, dw1];
}

type IntelFlavour = { kind: 'ftrace'; style: FtraceStyle; mapFmt: 'old' | 'new'; seq: 'iommu' | 'bond' } | { kind: 'tracecmd'; failedToParse: boolean };

function intelLines(fl: IntelFlavour): string[] {
  const out: string[] = [];
  let prqOrdinal = 0;
  for (const e of INTEL) {
    if (e.kind === 'lost') {
      if (fl.kind === 'ftrace' && e.style === 'ftrace') out.push(`CPU:${e.cpu} [LOST ${e.count} EVENTS]`);
      if (fl.kind === 'tracecmd' && !fl.failedToParse && e.style === 'tracecmd') out.push(`CPU:${e.cpu} [${e.count} EVENTS DROPPED]`);
      continue;
    }
    let event: string;
    let msg: string;
    switch (e.kind) {
      case 'prq': {
        event = 'prq_report';
        const seq = fl.kind === 'ftrace' && fl.seq === 'bond' ? SEQS.perBond.get(e) : SEQS.perIommu.get(e);
        if (seq === undefined) throw new Error('seq missing');
        if (fl.kind === 'tracecmd' && fl.failedToParse) {
          // libtraceevent prints u64 fields as %llu in some versions and 0x%llx in others;
          // alternate so both appear. `seq` (unsigned long) is always hex.
          const [dw0, dw1] = prqDw(e);
          const f = (v: bigint): string => (prqOrdinal % 2 === 0 ? `0x${hex(v)}` : v.toString(10));
          msg = `[FAILED TO PARSE] dw0=${f(dw0)} dw1=${f(dw1)} dw2=${f(0n)} dw3=${f(0n)} seq=0x${hex(seq)} iommu=${e.dev.iommu} dev=${e.dev.name} buff=ARRAY[...]`;
        } else {
          msg = prqMsg(e, seq);
        }
        prqOrdinal++;
        break;
      }
      case 'resp':
        event = 'qi_submit';
        msg = qiMsg('page_grp_resp', e.iommu, respQw(e));
        break;
      case 'qi':
        event = 'qi_submit';
        msg = qiMsg(e.type, e.iommu, e.qw);
        break;
      case 'map':
        event = 'map';
        msg = mapMsg(e.iova, e.size, e.paddr, fl.kind === 'ftrace' ? fl.mapFmt : 'new');
        break;
      case 'unmap':
        event = 'unmap';
        msg = unmapMsg(e.iova, e.size, fl.kind === 'ftrace' ? fl.mapFmt : 'new');
        break;
      case 'sched':
        event = 'sched_switch';
        msg = fl.kind === 'tracecmd' ? schedMsgPlugin(e.s) : schedMsgKernel(e.s);
        break;
    }
    out.push(fl.kind === 'ftrace' ? ftraceLine(e, fl.style, event, msg) : traceCmdLine(e, event, msg));
  }
  return out;
}

function countEntries(lines: string[]): { entries: number; lost: number } {
  let entries = 0;
  let lost = 0;
  for (const l of lines) {
    const m = /^CPU:\d+ \[LOST (\d+) EVENTS\]$/.exec(l);
    if (m) lost += Number(m[1]);
    else entries++;
  }
  return { entries, lost };
}

function withHeader(lines: string[], header: (entries: number, written: number, cpus: number) => string[], cpus: number): string[] {
  const { entries, lost } = countEntries(lines);
  return [...header(entries, entries + lost, cpus), ...lines];
}

const V69: FtraceStyle = { pidWidth: 7, flagChars: 5, tgid: false };
const V514: FtraceStyle = { pidWidth: 7, flagChars: 4, tgid: false };
const NOIRQ_TGID: FtraceStyle = { pidWidth: 7, flagChars: 0, tgid: true };

const intelV69 = withHeader(intelLines({ kind: 'ftrace', style: V69, mapFmt: 'new', seq: 'iommu' }), headerV518, 8);
const intelV514 = withHeader(intelLines({ kind: 'ftrace', style: V514, mapFmt: 'old', seq: 'bond' }), headerV510, 8);
const intelNoIrqTgid = withHeader(intelLines({ kind: 'ftrace', style: NOIRQ_TGID, mapFmt: 'new', seq: 'iommu' }), headerNoIrqTgid, 8);
const intelPipe = intelLines({ kind: 'ftrace', style: V69, mapFmt: 'new', seq: 'iommu' });
const intelTraceCmd = ['cpus=8', 'CPU 5 is empty', ...intelLines({ kind: 'tracecmd', failedToParse: false })];
const intelFailed = ['cpus=8', 'CPU 5 is empty', ...intelLines({ kind: 'tracecmd', failedToParse: true })];

// =============================================================================================
// 2. Vendor-tree dev_fault / dev_page_response (never merged; §1.3 variants A, B, C)
// =============================================================================================

type VendorEv =
  | (Ctx & {
      kind: 'fault';
      dev: string;
      type: 1 | 2;
      reason: number;
      addr: bigint;
      fetch: bigint;
      pasid: number;
      group: number;
      last: boolean;
      fflags: number;
      prot: number;
    })
  | (Ctx & { kind: 'resp'; dev: string; code: 0 | 1 | 2; addr: bigint; pasid: number; group: number })
  | (Ctx & { kind: 'map'; iova: bigint; size: number; paddr: bigint })
  | (Ctx & { kind: 'unmap'; iova: bigint; size: number })
  | (Ctx & { kind: 'sched'; s: Sched })
  | { kind: 'lost'; cpu: number; count: number };

type Variant = 'A' | 'B' | 'C';

// dev_fault flags bits (B/C): 0x1 PASID valid, 0x2 last page, 0x4 private data, 0x8 needs PASID.
// prot bits: 0x1 read, 0x2 write, 0x4 exec, 0x8 privileged.
function faultMsg(e: Extract<VendorEv, { kind: 'fault' }>, v: Variant): string {
  const head = `IOMMU:${e.dev} type=${e.type} reason=${e.reason} addr=0x${hex16(e.addr)}`;
  if (v === 'A') return `${head} pasid=${e.pasid} group=${e.group} last=${e.last ? 1 : 0} prot=${e.prot}`;
  return `${head} fetch=0x${hex16(e.fetch)} pasid=${e.pasid} group=${e.group} flags=${hex(e.fflags)} prot=${e.prot}`;
}

function vendorRespMsg(e: Extract<VendorEv, { kind: 'resp' }>, v: Variant): string {
  if (v === 'C') return `IOMMU:${e.dev} code=${e.code} pasid=${e.pasid} group=${e.group}`;
  return `IOMMU:${e.dev} code=${e.code} addr=0x${hex16(e.addr)} pasid=${e.pasid} group=${e.group}`;
}

function vendorLines(evs: VendorEv[], v: Variant, st: FtraceStyle): string[] {
  return evs.map((e) => {
    switch (e.kind) {
      case 'lost':
        return `CPU:${e.cpu} [LOST ${e.count} EVENTS]`;
      case 'fault':
        return ftraceLine(e, st, 'dev_fault', faultMsg(e, v));
      case 'resp':
        return ftraceLine(e, st, 'dev_page_response', vendorRespMsg(e, v));
      case 'map':
        return ftraceLine(e, st, 'map', mapMsg(e.iova, e.size, e.paddr, 'old'));
      case 'unmap':
        return ftraceLine(e, st, 'unmap', unmapMsg(e.iova, e.size, 'old'));
      case 'sched':
        return ftraceLine(e, st, 'sched_switch', schedMsgKernel(e.s));
    }
  });
}

interface FaultSpec {
  dev: string;
  pasid: number;
  group: number;
  addr: bigint;
  prot: number;
  last: boolean;
  flags?: number; // B/C only; default PASID valid (| last page)
}

function mkFault(base: number, t: Thread, off: number, f: FaultSpec): VendorEv {
  const fflags = f.flags ?? 0x1 | (f.last ? 0x2 : 0);
  return {
    kind: 'fault',
    us: base + off,
    t,
    flags: '....',
    dev: f.dev,
    type: 2,
    reason: 0,
    addr: f.addr,
    fetch: 0n,
    pasid: f.pasid,
    group: f.group,
    last: f.last,
    fflags,
    prot: f.prot,
  };
}

function mkResp(base: number, t: Thread, off: number, dev: string, pasid: number, group: number, code: 0 | 1 | 2, addr: bigint): VendorEv {
  return { kind: 'resp', us: base + off, t, flags: '....', dev, code, addr, pasid, group };
}

// --- Variant A (2017–18, Intel, kernel before v5.10: 5-wide pid, 4 flag chars) ---------------
const A_BASE = 1432_500_000;
const A_PRQ: Thread = { comm: 'irq/56-dmar0-pr', pid: 961, tgid: 961, cpu: 6 };
const A_QEMU: Thread = { comm: 'qemu-system-x86', pid: 4121, tgid: 4121, cpu: 3 };
const A_DEV = '0000:00:0a.0';

function aFault(off: number, pasid: number, group: number, page: bigint, prot: number, last: boolean): VendorEv {
  return mkFault(A_BASE, A_PRQ, off, { dev: A_DEV, pasid, group, addr: page << 12n, prot, last });
}

const VENDOR_A: VendorEv[] = [
  { kind: 'map', us: 1432_480_112, t: A_QEMU, flags: '....', iova: 0x80000000n, size: 2097152, paddr: 0x435a00000n },
  { kind: 'map', us: 1432_480_131, t: A_QEMU, flags: '....', iova: 0x80200000n, size: 2097152, paddr: 0x435c00000n },
  aFault(100, 1, 0, 0x7fb2c8a41n, 1, true), // A1
  mkResp(A_BASE, A_QEMU, 112, A_DEV, 1, 0, 0, 0x7fb2c8a41000n), // A1 answered, 12 µs
  aFault(130, 1, 1, 0x7fb2c8a42n, 1, false), // A2, first of two
  aFault(133, 1, 1, 0x7fb2c8a43n, 3, true), // A2 last
  mkResp(A_BASE, A_QEMU, 153, A_DEV, 1, 1, 0, 0x7fb2c8a43000n), // A2, 20 µs
  aFault(160, 2, 0, 0x7fb2c8b10n, 2, true), // A3
  mkResp(A_BASE, A_QEMU, 170, A_DEV, 2, 0, 1, 0x7fb2c8b10000n), // A3 Invalid, 10 µs
  aFault(180, 2, 3, 0x7fb2c8b11n, 5, true), // A4 (read + exec)
  {
    // unrecoverable DMA fault on the same device: type=1, not a page request
    kind: 'fault',
    us: A_BASE + 190,
    t: A_PRQ,
    flags: '....',
    dev: A_DEV,
    type: 1,
    reason: 6,
    addr: 0x7fb2c8c00000n,
    fetch: 0n,
    pasid: 0,
    group: 0,
    last: false,
    fflags: 0,
    prot: 2,
  },
  mkResp(A_BASE, A_QEMU, 200, A_DEV, 2, 3, 0, 0x7fb2c8b11000n), // A4, 20 µs
  aFault(210, 1, 0, 0x7fb2c8a44n, 3, true), // A5: group 0 of PASID 1 reused
  mkResp(A_BASE, A_QEMU, 223, A_DEV, 1, 0, 0, 0x7fb2c8a44000n), // A5, 13 µs
  { kind: 'unmap', us: 1432_520_400, t: A_QEMU, flags: '....', iova: 0x80200000n, size: 2097152 },
];

// --- Variant B (2019, page_response_msg; arm64 host, trace_pipe, 5-wide pid) ------------------
const B_BASE = 211_300_000;
const B_PRI: Thread = { comm: 'irq/20-arm-smmu', pid: 247, tgid: 247, cpu: 0 };
const B_KW: Thread = { comm: 'kworker/u256:1', pid: 1095, tgid: 1095, cpu: 33 };
const BX = '0000:75:00.0';
const BY = '0000:76:00.0';

function bFault(off: number, dev: string, pasid: number, group: number, addr: bigint, flags: number, prot: number): VendorEv {
  return mkFault(B_BASE, B_PRI, off, { dev, pasid, group, addr, prot, last: (flags & 0x2) !== 0, flags });
}

function bResp(off: number, dev: string, pasid: number, group: number, code: 0 | 1 | 2, addr: bigint): VendorEv {
  return mkResp(B_BASE, B_KW, off, dev, pasid, group, code, addr);
}

const VENDOR_B: VendorEv[] = [
  bFault(10, BX, 1, 2, 0xffff9a3c1000n, 0x3, 1), // B1
  bFault(12, BX, 1, 5, 0xffff9a3c2000n, 0x1, 1), // B2 #1
  bResp(16, BX, 1, 2, 0, 0xffff9a3c1000n), // B1, 6 µs
  bFault(20, BX, 1, 5, 0xffff9a3c3000n, 0x1, 3), // B2 #2
  bFault(25, BX, 1, 5, 0xffff9a3c4000n, 0x3, 3), // B2 last
  bFault(31, BY, 1, 2, 0xffffb7e20000n, 0xb, 2), // B3 (needs PASID)
  bResp(55, BX, 1, 5, 0, 0xffff9a3c4000n), // B2, 30 µs
  bResp(61, BY, 1, 2, 0, 0xffffb7e20000n), // B3, 30 µs
  bFault(70, BY, 2, 0, 0xffffb7e21000n, 0x7, 1), // B4 (private data)
  bResp(79, BY, 2, 0, 0, 0xffffb7e21000n), // B4, 9 µs
  bFault(90, BX, 1, 2, 0xffff9a3c5000n, 0x3, 3), // B5: group 2 reused
  bResp(99, BX, 1, 2, 0, 0xffff9a3c5000n), // B5, 9 µs
  bFault(110, BY, 2, 1, 0xffffb7e22000n, 0x1, 1), // incomplete group, #1
  bFault(120, BX, 2, 4, 0xffff9a3d0000n, 0x3, 2), // B6
  bResp(132, BX, 2, 4, 1, 0xffff9a3d0000n), // B6 Invalid, 12 µs
  bFault(135, BX, 2, 9, 0xffff9a3d1000n, 0x3, 0), // stop marker: last, no read, no write
  bFault(140, BY, 1, 3, 0xffffb7e23000n, 0x3, 1), // B7
  bFault(150, BX, 1, 6, 0xffff9a3c6000n, 0x3, 1), // completed, never answered
  bFault(155, BY, 2, 1, 0xffffb7e24000n, 0x1, 3), // incomplete group, #2
  bResp(170, BY, 1, 3, 2, 0xffffb7e23000n), // B7 Failure, 30 µs — BY stops here
];

// --- Variant C (hisilicon kernel-dev tree, v5.10–v5.14 prefix; response without addr) ---------
const C_BASE = 3051_770_000;
const C_PRI: Thread = { comm: 'irq/29-arm-smmu', pid: 406, tgid: 406, cpu: 1 };
const C_KW: Thread = { comm: 'kworker/u257:2', pid: 1187, tgid: 1187, cpu: 40 };
const C_APP: Thread = { comm: 'hisi_zip_test', pid: 3105, tgid: 3105, cpu: 52 };
const CP = '0000:75:00.0';
const CQ = '0000:79:00.0';

function cFault(off: number, dev: string, pasid: number, group: number, addr: bigint, last: boolean, prot: number): VendorEv {
  return mkFault(C_BASE, C_PRI, off, { dev, pasid, group, addr, prot, last });
}

function cResp(off: number, dev: string, pasid: number, group: number, code: 0 | 1 | 2): VendorEv {
  return mkResp(C_BASE, C_KW, off, dev, pasid, group, code, 0n);
}

const VENDOR_C: VendorEv[] = [
  cFault(100, CP, 3, 10, 0xffff8c200000n, false, 1), // C1 #1
  cFault(103, CP, 3, 10, 0xffff8c201000n, false, 1), // C1 #2
  cFault(107, CP, 3, 10, 0xffff8c202000n, true, 3), // C1 last
  cFault(110, CQ, 4, 0, 0xffffa0410000n, true, 1), // C2
  cResp(121, CP, 3, 10, 0), // C1, 14 µs
  cResp(128, CQ, 4, 0, 0), // C2, 18 µs
  { kind: 'sched', us: C_BASE + 130, t: C_APP, flags: 'd..2', s: { prevComm: 'hisi_zip_test', prevPid: 3105, state: 'S', nextComm: 'swapper/52', nextPid: 0 } },
  cFault(140, CP, 3, 11, 0xffff8c203000n, true, 2), // C3
  cResp(150, CP, 3, 11, 0), // C3, 10 µs
  { kind: 'lost', cpu: 1, count: 3 },
  cFault(160, CQ, 4, 1, 0xffffa0411000n, true, 1), // C4
  cResp(178, CQ, 4, 1, 0), // C4, 18 µs
  cFault(180, CP, 3, 10, 0xffff8c204000n, true, 1), // C5: group 10 reused
  cResp(190, CP, 3, 10, 1), // C5 Invalid, 10 µs
  cFault(200, CQ, 3, 2, 0xffffa0500000n, true, 3), // C6
  cResp(214, CQ, 3, 2, 0), // C6, 14 µs
  { kind: 'sched', us: C_BASE + 220, t: C_APP, flags: 'd..2', s: { prevComm: 'hisi_zip_test', prevPid: 3105, state: 'S', nextComm: 'swapper/52', nextPid: 0 } },
  cResp(230, CP, 3, 11, 0), // duplicate response for group 11: orphan
  cFault(240, CQ, 4, 2, 0xffffa0412000n, true, 1), // completed, never answered
  cFault(245, CP, 3, 12, 0xffff8c205000n, false, 1), // incomplete
];

const PRE510: FtraceStyle = { pidWidth: 5, flagChars: 4, tgid: false };
const V510: FtraceStyle = { pidWidth: 7, flagChars: 4, tgid: false };

const vendorA = withHeader(vendorLines(VENDOR_A, 'A', PRE510), headerPre510, 8);
const vendorB = vendorLines(VENDOR_B, 'B', PRE510);
const vendorC = withHeader(vendorLines(VENDOR_C, 'C', V510), headerV510, 128);

// =============================================================================================
// 3. AMD io_page_fault (§4.3, §4.4): two trace_pipe captures from two machines, concatenated
// =============================================================================================

const UDEV_AMD: Thread = { comm: '(udev-worker)', pid: 532, tgid: 532, cpu: 10 };
const NM: Thread = { comm: 'NetworkManager', pid: 1187, tgid: 1187, cpu: 3 };
const KW_AMD: Thread = { comm: 'kworker/u64:0', pid: 12, tgid: 12, cpu: 11 };
const AMDVI_154: Thread = { comm: 'irq/26-AMD-Vi', pid: 154, tgid: 154, cpu: 6 };
const AMDVI_48: Thread = { comm: 'irq/24-AMD-Vi', pid: 48, tgid: 48, cpu: 2 };

function iopf(c: Ctx, st: FtraceStyle, drv: string, dev: string, iova: bigint, flags: number): string {
  return ftraceLine(c, st, 'io_page_fault', `IOMMU:${drv} ${dev} iova=0x${hex16(iova)} flags=0x${hex(flags).padStart(4, '0')}`);
}

function amdLines(): string[] {
  const v612 = V69; // 6.12.35: 7-wide pid, 5 flag chars
  const old = PRE510; // July 2021 RFC kernel as quoted: 5-wide pid, 4 flag chars
  const c = (us: number, t: Thread, flags: string): Ctx => ({ us, t, flags });
  const ath = (us: number, iova: bigint, fl: number): string => iopf(c(us, AMDVI_154, '.....'), v612, 'ath12k_pci', '0000:c2:00.0', iova, fl);
  const drv = (us: number, iova: bigint, fl: number): string => iopf(c(us, AMDVI_48, '....'), old, '[drvname]', '0000:05:00.0', iova, fl);
  return [
    ftraceLine(c(4_878_076, UDEV_AMD, '.....'), v612, 'map', mapMsg(0xfe980000n, 524288, 0x10ec80000n, 'new')),
    ftraceLine(c(4_878_113, UDEV_AMD, '.....'), v612, 'map', mapMsg(0xfea00000n, 524288, 0x10ed00000n, 'new')),
    ftraceLine(c(4_878_141, UDEV_AMD, '.....'), v612, 'map', mapMsg(0xfea80000n, 65536, 0x10f1a0000n, 'new')),
    ftraceLine(c(4_878_160, UDEV_AMD, '.....'), v612, 'map', mapMsg(0xfea90000n, 4096, 0x10f1b3000n, 'new')),
    ftraceLine(c(12_401_533, NM, '.....'), v612, 'map', mapMsg(0xfea91000n, 4096, 0x1104e2000n, 'new')),
    ftraceLine(c(12_401_559, NM, '.....'), v612, 'map', mapMsg(0xfea92000n, 8192, 0x1104e4000n, 'new')),
    ftraceLine(c(327_747_766, KW_AMD, '.....'), v612, 'unmap', unmapMsg(0xfe980000n, 524288, 'new')),
    ftraceLine(c(327_747_790, KW_AMD, '.....'), v612, 'unmap', unmapMsg(0xfea00000n, 524288, 'new')),
    ath(327_753_942, 0xfe980000n, 0x1),
    ath(327_753_958, 0xfe980800n, 0x1),
    ath(327_753_971, 0xfe981000n, 0x1),
    ath(327_754_010, 0xfea00040n, 0x0),
    ftraceLine(c(327_761_204, KW_AMD, '.....'), v612, 'unmap', unmapMsg(0xfea80000n, 65536, 'new')),
    ath(327_762_117, 0xfea80000n, 0x1),
    drv(978_554_289, 0x91482640n, 0x0),
    drv(978_554_294, 0x91482650n, 0x0),
    drv(978_554_298, 0x91482660n, 0x0),
    drv(978_554_303, 0x91482670n, 0x0),
    drv(978_554_307, 0x91482680n, 0x0),
    drv(978_561_822, 0x91483000n, 0x1),
    drv(978_561_826, 0x91483040n, 0x1),
    drv(979_002_113, 0x91482640n, 0x0),
  ];
}

// =============================================================================================
// 4. Simulator traces (CSV / JSON Lines), timestamps above 2^53 ns
// =============================================================================================

const SIM_T0 = 9007199254740993n; // 2^53 + 1: not representable as a double

interface SimRow {
  off: bigint; // ns after SIM_T0
  kind: 'page_request' | 'page_response';
  pasid: number;
  prgi: number;
  last?: 0 | 1;
  addr?: bigint;
  perm?: string;
  code?: 0 | 1 | 2;
}

const rq = (off: bigint, pasid: number, prgi: number, last: 0 | 1, addr: bigint, perm: string): SimRow => ({
  off,
  kind: 'page_request',
  pasid,
  prgi,
  last,
  addr,
  perm,
});
const rs = (off: bigint, pasid: number, prgi: number, code: 0 | 1 | 2): SimRow => ({ off, kind: 'page_response', pasid, prgi, code });

// S1..S8 answered (latencies 2500, 3100, 3100, 4800, 6000, 9700, 21000, 21000 ns), one orphan
// response, one incomplete group (p1 g9), one unanswered group (p2 g10).
const SIM: SimRow[] = [
  rq(0n, 1, 0, 0, 0x7f3a5c01e000n, 'r'),
  rq(1200n, 1, 0, 1, 0x7f3a5c01f000n, 'rw'), // S1 last
  rq(1500n, 2, 3, 1, 0xffff8000deadb000n, 'r'), // S2
  rs(3700n, 1, 0, 0), // S1: 2500
  rs(4600n, 2, 3, 0), // S2: 3100
  rq(5000n, 1, 0, 1, 0x7f3a5c020000n, 'rw'), // S3: index 0 reused
  rq(5200n, 7, 1, 0, 0x55d0c4a31000n, 'r'),
  rq(5350n, 7, 1, 0, 0x55d0c4a32000n, 'r'),
  rq(5400n, 7, 1, 1, 0x55d0c4a33000n, 'rw'), // S4 last
  rs(8100n, 1, 0, 0), // S3: 3100
  rs(10200n, 7, 1, 0), // S4: 4800
  rq(11000n, 2, 4, 1, 0xffff8000deadc000n, 'w'), // S5
  rs(17000n, 2, 4, 1), // S5 invalid: 6000
  rq(18000n, 1, 2, 1, 0x7f3a5c021000n, 'r'), // S6
  rs(18500n, 7, 5, 0), // orphan
  rs(27700n, 1, 2, 0), // S6: 9700
  rq(30000n, 7, 6, 1, 0x55d0c4a34000n, 'rw'), // S7
  rq(31000n, 2, 8, 1, 0xffff8000deadd000n, 'r'), // S8
  rq(33000n, 1, 9, 0, 0x7f3a5c022000n, 'r'), // incomplete
  rq(36000n, 2, 10, 1, 0xffff8000deade000n, 'r'), // unanswered
  rs(51000n, 7, 6, 0), // S7: 21000
  rs(52000n, 2, 8, 2), // S8 failure: 21000
];

const SIM_COLS = ['kind', 'device', 'pasid', 'prgi', 'last', 'addr', 'perm', 'code', 'rid', 'iommu', 'cpu'] as const;

/** Integer ns → decimal text in a coarser unit, exact, trailing zeros of the fraction trimmed. */
function nsIn(ns: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = ns / scale;
  const frac = (ns % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}

function simFields(r: SimRow): Record<(typeof SIM_COLS)[number], string | number | null> {
  const req = r.kind === 'page_request';
  return {
    kind: r.kind,
    device: '0000:00:0a.0',
    pasid: r.pasid,
    prgi: r.prgi,
    last: req ? (r.last ?? null) : null,
    addr: req && r.addr !== undefined ? `0x${hex(r.addr)}` : null,
    perm: req ? (r.perm ?? null) : null,
    code: req ? null : (r.code ?? null),
    rid: '0x50',
    iommu: 'dmar0',
    cpu: req ? 6 : 11,
  };
}

function simCsv(tsCol: 'ts_ns' | 'ts_us', ts: (ns: bigint) => string): string[] {
  const out = [[tsCol, ...SIM_COLS].join(',')];
  for (const r of SIM) {
    const f = simFields(r);
    out.push([ts(SIM_T0 + r.off), ...SIM_COLS.map((c) => (f[c] === null ? '' : String(f[c])))].join(','));
  }
  return out;
}

function simJsonl(tsCol: 'ts_ns' | 'ts_s', ts: (ns: bigint) => string, absent: 'null' | 'omit'): string[] {
  return SIM.map((r) => {
    const f = simFields(r);
    const o: Record<string, string | number | null> = { [tsCol]: ts(SIM_T0 + r.off) };
    for (const c of SIM_COLS) {
      if (f[c] === null && absent === 'omit') continue;
      o[c] = f[c];
    }
    return JSON.stringify(o);
  });
}

// =============================================================================================
// Write everything

function checkMonotonic(name: string, evs: readonly { kind: string; us?: number }[]): void {
  let prev = -1;
  for (const e of evs) {
    if (e.us === undefined) continue;
    if (e.us < prev) throw new Error(`${name}: timestamps go backwards at ${e.us}`);
    prev = e.us;
  }
}

function main(): void {
  checkMonotonic('intel', INTEL);
  checkMonotonic('vendor-a', VENDOR_A);
  checkMonotonic('vendor-b', VENDOR_B);
  checkMonotonic('vendor-c', VENDOR_C);

  const files: [string, string[]][] = [
    ['intel-v6.9-trace.txt', intelV69],
    ['intel-v5.14-trace.txt', intelV514],
    ['intel-notgid-irqinfo-off.txt', intelNoIrqTgid],
    ['intel-trace-pipe.txt', intelPipe],
    ['intel-trace-cmd-report.txt', intelTraceCmd],
    ['intel-trace-cmd-failed-to-parse.txt', intelFailed],
    ['vendor-dev-fault-a.txt', vendorA],
    ['vendor-dev-fault-b.txt', vendorB],
    ['vendor-dev-fault-c.txt', vendorC],
    ['amd-io-page-fault.txt', amdLines()],
    ['sim-small.csv', simCsv('ts_ns', (ns) => ns.toString())],
    ['sim-small.jsonl', simJsonl('ts_ns', (ns) => ns.toString(), 'null')],
    ['sim-ts-us.csv', simCsv('ts_us', (ns) => nsIn(ns, 3))],
    ['sim-ts-s.jsonl', simJsonl('ts_s', (ns) => nsIn(ns, 9), 'omit')],
  ];

  mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, lines] of files) {
    if (lines.length < 20 || lines.length > 80) throw new Error(`${name}: ${lines.length} lines, want 20–80`);
    writeFileSync(join(OUT_DIR, name), `${lines.join('\n')}\n`);
  }
  const v69 = `${intelV69.join('\n')}\n`;
  writeFileSync(join(OUT_DIR, 'intel-v6.9-trace.txt.gz'), gzipSync(Buffer.from(v69, 'utf8'), { level: 9 }));
  writeFileSync(join(OUT_DIR, 'intel-v6.9-crlf.txt'), v69.replace(/\n/g, '\r\n'));
  process.stdout.write(`wrote ${files.length + 2} files to ${OUT_DIR}\n`);
}

main();
