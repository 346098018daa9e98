// Maps the fields of the PRI tracepoints in a trace.dat to the captures the ftrace text
// decoders (formats/ftrace/*) read from the same events' text, so one definition decodes
// both: prq_report goes to the `[FAILED TO PARSE]` raw-field decoder (dw0..dw3 decoded
// there), qi_submit, dev_fault / dev_page_response, io_page_fault and the IOMMU context
// events to theirs. Events no decoder owns are `other`. Which tracepoint is which comes from
// the event name and the fields the file's own format text declares.

import { FTRACE_EVENT_FORMATS } from '../ftrace/registry.ts';
import type { EventFormat, FieldDef, PayloadReader } from './event-format.ts';
import { compilePrintFmt, renderPrint } from './print-fmt.ts';

export interface Mapped {
  /** Id of the ftrace decoder that owns the event (`prqraw`, `qi`, ...), or null for `other`. */
  owner: string | null;
  /** Its captures, in the decoder's capture order. */
  captures: string[] | null;
  /** The message text where the decoder reads it (qi_submit's and context events' detail). */
  msg: string | null;
}

export type Mapper = (r: PayloadReader) => Mapped | null;

const decoderById = new Map(FTRACE_EVENT_FORMATS.map((f) => [f.id, f]));

function ordered(owner: string, values: Record<string, string>): string[] {
  return decoderById.get(owner)!.captures.map((c) => values[c] ?? '');
}

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

function ownerOf(name: string): string | null {
  for (const f of FTRACE_EVENT_FORMATS) if (f.events.includes(name) && f.id !== 'prq') return f.id;
  return null;
}

/** Builds the mapper for one event format; `other` events get a mapper returning owner null. */
export function mapperFor(ev: EventFormat, longSize: number): Mapper {
  const other: Mapper = () => ({ owner: null, captures: null, msg: null });
  const owner = ownerOf(ev.name);
  if (!owner) return other;
  switch (owner) {
    case 'prqraw': {
      const f = need(ev, ['dw0', 'dw1', 'seq', 'iommu', 'dev']);
      if (!f) return other;
      const [dw0, dw1, seq, iommu, dev] = f as [FieldDef, FieldDef, FieldDef, FieldDef, FieldDef];
      return (r) => {
        const v = [r.int(dw0), r.int(dw1), r.int(seq), r.str(iommu), r.str(dev)];
        if (v.some((x) => x === null)) return null;
        return { owner, captures: ordered(owner, { dw0: String(v[0]), dw1: String(v[1]), seq: String(v[2]), iommu: String(v[3]), dev: String(v[4]) }), msg: null };
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
        return {
          owner,
          captures: ordered(owner, { type, iommu: name, qw0: words[0]!, qw1: words[1]!, qw2: words[2]!, qw3: words[3]! }),
          msg: `${type} ${name}: ${words.join(' ')}`,
        };
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
        return { owner, captures: ordered(owner, { driver: drv, dev: d, iova: hex(a), flags: hex(BigInt.asUintN(32, fl)) }), msg: null };
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
        return {
          owner,
          captures: ordered(owner, {
            dev: d,
            type: String(t),
            reason: String(rs),
            addr: hex(a!),
            pasid: String(p),
            grp: String(g),
            last: last ? String(lf) : '',
            flags: last ? '' : hex(BigInt.asUintN(32, lf!)),
            prot: String(pr),
          }),
          msg: null,
        };
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
        return { owner, captures: ordered(owner, { dev: d, code: String(v[0]), pasid: String(v[1]), grp: String(v[2]) }), msg: null };
      };
    }
    default: {
      // Context events: their text is stored as is, rendered from the print fmt.
      const print = compilePrintFmt(ev, longSize);
      const fields = ev.fields.filter((f) => !f.name.startsWith('common_'));
      return (r) => {
        const text = print ? renderPrint(print, r) : rawFields(fields, r);
        if (text === null) return null;
        return { owner, captures: ordered(owner, { text }), msg: text };
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
