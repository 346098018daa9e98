// Renders an event's message from its `print fmt` for the simple shapes the IOMMU context
// events use (a printf string over REC->field, REC->a + REC->b, __get_str(field),
// __print_symbolic(REC->field [& mask], {value, "name"}...)), the way libtraceevent prints
// them. Anything else returns null and the caller stores the raw field list instead.

import type { EventFormat, FieldDef, PayloadReader } from './event-format.ts';

type Arg =
  | { k: 'field'; f: FieldDef }
  | { k: 'sum'; a: FieldDef; b: FieldDef }
  | { k: 'str'; f: FieldDef }
  | { k: 'sym'; f: FieldDef; mask: bigint | null; table: Map<bigint, string> };

interface Spec {
  literal: string;
  conv: string;
  flags: string;
  width: string;
  long: number;
}

export interface CompiledPrint {
  specs: Spec[];
  args: Arg[];
  tail: string;
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inStr = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inStr) {
      cur += c;
      if (c === '\\') cur += s[++i] ?? '';
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    if (c === '(' || c === '{') depth++;
    if (c === ')' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function parseArg(text: string, ev: EventFormat): Arg | null {
  const field = (name: string) => ev.byName.get(name) ?? null;
  let m = /^REC->(\w+)$/.exec(text);
  if (m) {
    const f = field(m[1]!);
    return f ? { k: 'field', f } : null;
  }
  m = /^REC->(\w+)\s*\+\s*REC->(\w+)$/.exec(text);
  if (m) {
    const a = field(m[1]!);
    const b = field(m[2]!);
    return a && b ? { k: 'sum', a, b } : null;
  }
  m = /^__get_str\((\w+)\)$/.exec(text);
  if (m) {
    const f = field(m[1]!);
    return f ? { k: 'str', f } : null;
  }
  m = /^__print_symbolic\(\s*REC->(\w+)\s*(?:&\s*(0x[0-9a-fA-F]+|\d+)\s*)?,(.*)\)$/s.exec(text);
  if (m) {
    const f = field(m[1]!);
    if (!f) return null;
    const table = new Map<bigint, string>();
    for (const e of m[3]!.matchAll(/\{\s*\(?\s*(0x[0-9a-fA-F]+|\d+)\s*\)?\s*,\s*"([^"]*)"\s*\}/g)) table.set(BigInt(e[1]!), e[2]!);
    return { k: 'sym', f, mask: m[2] ? BigInt(m[2]) : null, table };
  }
  return null;
}

/** Compiles a print fmt once per event; null when it has a shape this renderer does not know. */
export function compilePrintFmt(ev: EventFormat, longSize: number): CompiledPrint | null {
  const parts = splitTop(ev.printFmt);
  const fmt = parts[0];
  if (!fmt || !fmt.startsWith('"') || !fmt.endsWith('"')) return null;
  const text = fmt.slice(1, -1).replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\"/g, '"');
  const specs: Spec[] = [];
  const re = /%([-+ 0#]*)(\d*)(?:\.\d+)?(hh|h|ll|l|z)?([diuxXsc%])/g;
  let last = 0;
  let lit = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lit += text.slice(last, m.index);
    last = re.lastIndex;
    if (m[4] === '%') {
      lit += '%';
      continue;
    }
    const len = m[3] === 'll' ? 8 : m[3] === 'l' || m[3] === 'z' ? longSize : m[3] === 'h' ? 2 : m[3] === 'hh' ? 1 : 4;
    specs.push({ literal: lit, conv: m[4]!, flags: m[1]!, width: m[2]!, long: len });
    lit = '';
  }
  const tail = lit + text.slice(last);
  const args = parts.slice(1).map((a) => parseArg(a, ev));
  if (args.length !== specs.length || args.some((a) => a === null)) return null;
  return { specs, args: args as Arg[], tail };
}

function pad(s: string, spec: Spec): string {
  const w = Number(spec.width || 0);
  if (s.length >= w) return s;
  if (spec.flags.includes('-')) return s.padEnd(w, ' ');
  if (spec.flags.includes('0') && spec.conv !== 's') {
    const neg = s.startsWith('-');
    return (neg ? '-' : '') + (neg ? s.slice(1) : s).padStart(w - (neg ? 1 : 0), '0');
  }
  return s.padStart(w, ' ');
}

function num(v: bigint, spec: Spec): string {
  const bits = BigInt(spec.long * 8);
  const u = BigInt.asUintN(Number(bits), v);
  switch (spec.conv) {
    case 'd':
    case 'i':
      return BigInt.asIntN(Number(bits), v).toString();
    case 'u':
      return u.toString();
    case 'x':
      return u.toString(16);
    case 'X':
      return u.toString(16).toUpperCase();
    default:
      return String.fromCharCode(Number(u & 0xffn));
  }
}

/** The message for one record; null when a field lies outside the payload. */
export function renderPrint(p: CompiledPrint, r: PayloadReader): string | null {
  let out = '';
  for (let i = 0; i < p.specs.length; i++) {
    const spec = p.specs[i]!;
    const a = p.args[i]!;
    out += spec.literal;
    let s: string | null;
    if (a.k === 'str') s = r.str(a.f);
    else if (a.k === 'sym') {
      const v = r.int(a.f);
      if (v === null) return null;
      const key = a.mask === null ? v : v & a.mask;
      s = a.table.get(key) ?? `0x${key.toString(16)}`;
    } else {
      const v = a.k === 'field' ? r.int(a.f) : sum(r.int(a.a), r.int(a.b));
      s = v === null ? null : spec.conv === 's' ? v.toString() : num(v, spec);
    }
    if (s === null) return null;
    out += pad(s, spec);
  }
  return out + p.tail;
}

function sum(a: bigint | null, b: bigint | null): bigint | null {
  return a === null || b === null ? null : a + b;
}
