// The annotation routes' shared parsing: JSON bodies to AnnotationInput/AnnotationPatch, and
// annotations to JSON (exact trace-clock times as decimal strings). Times may be given as
// `start_ns`/`end_ns` (absolute, trace clock, decimal strings or safe integers) or as
// `start_offset_ns`/`end_offset_ns` (since the trace's first event, what the charts plot).

import { InvalidAnnotationError } from '@/lib/core/errors.ts';
import { type Annotation, type AnnotationPatch } from '@/lib/db/annotations.ts';
import type { AnnotationBody } from './_contract.ts';

export function annotationJson(a: Annotation) {
  return { ...a, start_ns: a.start_ns === null ? null : a.start_ns.toString(), end_ns: a.end_ns === null ? null : a.end_ns.toString() };
}

function toBig(v: unknown, field: string): bigint | null | undefined {
  if (v === undefined) return undefined;
  if (v === null || v === '') return null;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v.trim())) return BigInt(v.trim());
  throw new InvalidAnnotationError(field as 'start_ns', 'must be an integer number of nanoseconds (a decimal string or a safe integer)');
}

/** Body → patch (all fields optional); offsets are turned into trace-clock times with origin. */
export function parseAnnotationBody(body: unknown, origin: bigint | null): AnnotationPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidAnnotationError('text', 'body must be a JSON object');
  // Field names from the contract; every value is checked below.
  const b = body as Partial<Record<keyof AnnotationBody, unknown>>;
  const out: AnnotationPatch = {};
  if (b.author !== undefined) out.author = b.author as string;
  if (b.text !== undefined) out.text = b.text as string;
  if (b.device !== undefined) out.device = b.device === '' ? null : (b.device as string | null);
  if (b.pasid !== undefined) {
    if (b.pasid === null || b.pasid === '') out.pasid = null;
    else if (typeof b.pasid === 'number') out.pasid = b.pasid;
    else if (typeof b.pasid === 'string' && /^(0x[0-9a-f]{1,5}|\d{1,7})$/i.test(b.pasid.trim())) out.pasid = Number(b.pasid.trim());
    else throw new InvalidAnnotationError('pasid', 'must be an integer (decimal or 0x hex) or empty');
  }
  for (const [abs, rel] of [
    ['start_ns', 'start_offset_ns'],
    ['end_ns', 'end_offset_ns'],
  ] as const) {
    const a = toBig(b[abs], abs);
    const r = toBig(b[rel], abs);
    if (a !== undefined && r !== undefined) throw new InvalidAnnotationError(abs, `give ${abs} or ${rel}, not both`);
    if (a !== undefined) out[abs] = a;
    else if (r !== undefined) out[abs] = r === null ? null : r + (origin ?? 0n);
  }
  return out;
}
