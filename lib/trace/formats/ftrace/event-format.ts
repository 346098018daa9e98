// The shape of one ftrace event decoder. Each module under formats/ftrace/ defines one
// tracepoint's message once: which lines it owns, how its message decodes into the normalised
// fields, and when the decoded values are out of range. The streaming decoder (decoder.ts)
// runs them; nothing decodes these messages anywhere else.
// Patterns use explicit whitespace classes: the decoder reads bytes as latin1 (one char per
// byte), where JavaScript's \s would also match 0xA0, a UTF-8 continuation byte.

/** Outcome of decoding one message: stored, the pattern did not match, or a value is out of range. */
export type DecodeOutcome = 'ok' | 'malformed' | 'invalid';

/**
 * The normalised fields a message decodes to, reused line after line. Numbers use -1 for
 * NULL; 64-bit values are two unsigned 32-bit halves (hi = -1 for NULL), so no BigInt is made
 * per line.
 */
export class EventFields {
  kind = -1;
  iommu: string | null = null;
  device: string | null = null;
  /** PCI requester ID: 16 bits (bus, device, function). */
  rid = -1;
  pasid = -1;
  prgi = -1;
  last = -1;
  addrHi = -1;
  addrLo = 0;
  /** Bits: 1 read, 2 write, 4 exec, 8 privileged (PERM_BITS). */
  perm = -1;
  code = -1;
  seqHi = -1;
  seqLo = 0;
  detail: string | null = null;

  reset(): void {
    this.kind = -1;
    this.iommu = null;
    this.device = null;
    this.rid = -1;
    this.pasid = -1;
    this.prgi = -1;
    this.last = -1;
    this.addrHi = -1;
    this.addrLo = 0;
    this.perm = -1;
    this.code = -1;
    this.seqHi = -1;
    this.seqLo = 0;
    this.detail = null;
  }
}

export interface FtraceEventFormat {
  /** Short id. */
  id: string;
  /** What it decodes, for people (README, error messages). */
  describes: string;
  /** Event names this decoder owns. */
  events: readonly string[];
  /** Extra condition on the message for this decoder to own the line. */
  when?: (msg: string) => boolean;
  /** Decodes the message (the text after `event: `) into out (already reset). */
  decode(msg: string, out: EventFields): DecodeOutcome;
  /** Reason reported when decode returns 'invalid'. */
  invalid: string;
}

/** Not whitespace as the kernel text uses it (RE2's \s: tab, LF, FF, CR, space). */
export const NWS = '[^\\t\\n\\f\\r ]';
export const HEX = '0x[0-9a-fA-F]{1,16}';
export const NUM = `(?:${HEX}|[0-9]{1,20})`;

/** A 64-bit unsigned value as two 32-bit halves. */
export interface U64 {
  hi: number;
  lo: number;
}

/** Hex digits (no 0x, at most 16) to hi/lo. */
export function hexU64(digits: string, into: U64): U64 {
  const n = digits.length;
  if (n <= 8) {
    into.hi = 0;
    into.lo = Number.parseInt(digits, 16);
  } else {
    into.hi = Number.parseInt(digits.slice(0, n - 8), 16);
    into.lo = Number.parseInt(digits.slice(n - 8), 16);
  }
  return into;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * A number that may be 0x-hex or decimal (libtraceevent prints u64 as %llu or hex) to hi/lo;
 * false when it does not fit 64 bits.
 */
export function anyU64(text: string, into: U64): boolean {
  if (text.startsWith('0x')) {
    hexU64(text.slice(2), into);
    return true;
  }
  if (text.length <= 15) {
    const v = Number(text);
    into.hi = Math.floor(v / 4294967296);
    into.lo = v % 4294967296;
    return true;
  }
  const b = BigInt(text);
  if (b > U64_MAX) return false;
  into.hi = Number(b >> 32n);
  into.lo = Number(b & 0xffffffffn);
  return true;
}

/** Bits [lo, lo+width) of a 64-bit value given as halves (width ≤ 32, not crossing bit 32 unless lo ≥ 32). */
export function bitsOf(v: U64, lo: number, width: number): number {
  const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
  return lo >= 32 ? ((v.hi >>> (lo - 32)) & mask) >>> 0 : ((v.lo >>> lo) & mask) >>> 0;
}

/** A decimal string as a signed 64-bit value in out.seq*; false when over 2^63 − 1 (BIGINT). */
export function decimalI64(text: string, out: EventFields): boolean {
  if (text.length <= 15) {
    const v = Number(text);
    out.seqHi = Math.floor(v / 4294967296);
    out.seqLo = v % 4294967296;
    return true;
  }
  const b = BigInt(text);
  if (b > 9223372036854775807n) return false;
  out.seqHi = Number(b >> 32n);
  out.seqLo = Number(b & 0xffffffffn);
  return true;
}

/** Perm bits from the four access flags. */
export function permBits(read: boolean, write: boolean, exec: boolean, priv: boolean): number {
  return (read ? 1 : 0) | (write ? 2 : 0) | (exec ? 4 : 0) | (priv ? 8 : 0);
}
