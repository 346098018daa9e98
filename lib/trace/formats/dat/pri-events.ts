// Renders the fields of the PRI tracepoints in a trace.dat as the message text `trace-cmd
// report` prints for them, and names the ftrace text decoder (formats/ftrace/*) that reads
// that text, so one definition decodes both: prq_report goes to the `[FAILED TO PARSE]`
// raw-field decoder (dw0..dw3 decoded there), qi_submit, dev_fault / dev_page_response,
// io_page_fault and the IOMMU context events to theirs. Events no decoder owns are `other`.
// Which tracepoint is which comes from the event name and the fields the file's own format
// text declares.

import type { FtraceEventFormat } from '../ftrace/event-format.ts';
import { FAILED_TO_PARSE } from '../ftrace/prq-report.ts';
import { FTRACE_EVENT_FORMATS } from '../ftrace/registry.ts';
import type { EventFormat, FieldDef, PayloadReader } from './event-format.ts';
import { compilePrintFmt, renderPrint } from './print-fmt.ts';

export interface Mapped {
  /** The ftrace decoder that owns the event, or null for `other`. */
  owner: FtraceEventFormat | null;
  /** The message as the text form prints it: what the owner decodes. */
  msg: string | null;
}

export type Mapper = (r: PayloadReader) => Mapped | null;

const hex = (v: bigint) => v.toString(16);

function need(ev: EventFormat, names: readonly string[]): FieldDef[] | null {
  const out: FieldDef[] = [];
  for (const n of names) {
    const f = ev.byName.get(n);
    if (!f) return null;
    out.push(f);
  }
  return out;
}

/** prq_report's helper-printed text cannot come from a .dat: trace-cmd prints its raw fields. */
function ownerOf(name: string): FtraceEventFormat | null {
  for (const f of FTRACE_EVENT_FORMATS) if (f.events.includes(name) && f.id !== 'prq') return f;
  return null;
}

/** Builds the mapper for one event format; `other` events get a mapper returning owner null. */
export function mapperFor(ev: EventFormat, longSize: number): Mapper {
  const other: Mapper = () => ({ owner: null, msg: null });
  const owner = ownerOf(ev.name);
  if (!owner) return other;
  switch (owner.id) {
    case 'prqraw': {
      const f = need(ev, ['dw0', 'dw1', 'seq', 'iommu', 'dev']);
      if (!f) return other;
      const [dw0, dw1, seq, iommu, dev] = f as [FieldDef, FieldDef, FieldDef, FieldDef, FieldDef];
      const dw2 = ev.byName.get('dw2') ?? null;
      const dw3 = ev.byName.get('dw3') ?? null;
      return (r) => {
        const v = [r.int(dw0), r.int(dw1), dw2 ? r.int(dw2) : 0n, dw3 ? r.int(dw3) : 0n, r.int(seq)];
        const names = [r.str(iommu), r.str(dev)];
        if (v.some((x) => x === null) || names.some((x) => x === null)) return null;
        return { owner, msg: `${FAILED_TO_PARSE} dw0=${v[0]} dw1=${v[1]} dw2=${v[2]} dw3=${v[3]} seq=${v[4]} iommu=${names[0]} dev=${names[1]}` };
      };
    }
    case 'qi': {
      const f = need(ev, ['qw0', 'qw1', 'qw2', 'qw3', 'iommu']);
      const print = compilePrintFmt(ev, longSize);
      const typeArg = print?.args[0];
      if (!f || !print || typeArg?.k !== 'sym') return other;
      const [qw0, qw1, qw2, qw3, iommu] = f as [FieldDef, FieldDef, FieldDef, FieldDef, FieldDef];
      return (r) => {
        const q = [r.int(qw0), r.int(qw1), r.int(qw2), r.int(qw3)];
        const name = r.str(iommu);
        if (q.some((x) => x === null) || name === null) return null;
        const code = typeArg.mask === null ? q[0]! : q[0]! & typeArg.mask;
        const type = typeArg.table.get(code) ?? `0x${hex(code)}`;
        const words = q.map((x) => `0x${hex(x!)}`);
        return { owner, msg: `${type} ${name}: ${words.join(' ')}` };
      };
    }
    case 'iopf': {
      const f = need(ev, ['device', 'driver', 'iova', 'flags']);
      if (!f) return other;
      const [device, driver, iova, flags] = f as [FieldDef, FieldDef, FieldDef, FieldDef];
      return (r) => {
        const d = r.str(device);
        const drv = r.str(driver);
        const a = r.int(iova);
        const fl = r.int(flags);
        if (d === null || drv === null || a === null || fl === null) return null;
        return { owner, msg: `IOMMU:${drv} ${d} iova=0x${hex(a)} flags=0x${hex(BigInt.asUintN(32, fl))}` };
      };
    }
    case 'df': {
      const base = need(ev, ['device', 'type', 'reason', 'addr', 'pasid', 'prot']);
      const grp = ev.byName.get('grpid') ?? ev.byName.get('pgid');
      const last = ev.byName.get('last_req') ?? null;
      const flags = last ? null : (ev.byName.get('flags') ?? null);
      if (!base || !grp || (!last && !flags)) return other;
      const [device, type, reason, addr, pasid, prot] = base as [FieldDef, FieldDef, FieldDef, FieldDef, FieldDef, FieldDef];
      return (r) => {
        const v = [r.int(type), r.int(reason), r.int(addr), r.int(pasid), r.int(grp), r.int(prot), last ? r.int(last) : r.int(flags!)];
        const d = r.str(device);
        if (v.some((x) => x === null) || d === null) return null;
        const [t, rs, a, p, g, pr, lf] = v as bigint[];
        const lastOrFlags = last ? `last=${lf}` : `flags=${hex(BigInt.asUintN(32, lf!))}`;
        return { owner, msg: `IOMMU:${d} type=${t} reason=${rs} addr=0x${hex(a!)} pasid=${p} group=${g} ${lastOrFlags} prot=${pr}` };
      };
    }
    case 'dpr': {
      const f = need(ev, ['device', 'code', 'pasid']);
      const grp = ev.byName.get('grpid') ?? ev.byName.get('pgid');
      if (!f || !grp) return other;
      const [device, code, pasid] = f as [FieldDef, FieldDef, FieldDef];
      return (r) => {
        const d = r.str(device);
        const v = [r.int(code), r.int(pasid), r.int(grp)];
        if (d === null || v.some((x) => x === null)) return null;
        return { owner, msg: `IOMMU:${d} code=${v[0]} pasid=${v[1]} group=${v[2]}` };
      };
    }
    default: {
      // Context events: their text is stored as is, rendered from the print fmt.
      const print = compilePrintFmt(ev, longSize);
      const fields = ev.fields.filter((f) => !f.name.startsWith('common_'));
      return (r) => {
        const text = print ? renderPrint(print, r) : rawFields(fields, r);
        if (text === null) return null;
        return { owner, msg: text };
      };
    }
  }
}

/** ` name=value` per field, as libtraceevent prints an event it cannot format. */
function rawFields(fields: readonly FieldDef[], r: PayloadReader): string | null {
  const parts: string[] = [];
  for (const f of fields) {
    const v = f.loc || f.arrayLen !== null ? r.str(f) : r.int(f);
    if (v === null) return null;
    parts.push(`${f.name}=${v}`);
  }
  return parts.join(' ');
}
