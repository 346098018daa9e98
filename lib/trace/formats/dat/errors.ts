// The one error a trace.dat reader raises: what is wrong and where — the byte offset in the
// file, the section (header, options, a v7 section name, flyrecord) and the CPU when inside
// ring-buffer data. The store turns it into a rejected trace with that location in its reason.

export interface DatLocation {
  /** Byte offset in the file where the bad structure starts. */
  offset: number;
  /** Section being read: 'file header', 'options', 'EVENT_FORMATS', 'flyrecord', ... */
  section: string;
  /** CPU whose ring-buffer data was being read, when it applies. */
  cpu?: number;
  /** Trace instance (buffer) name; '' is the top instance. */
  instance?: string;
}

export class DatFormatError extends Error {
  override readonly name = 'DatFormatError';
  constructor(
    readonly location: DatLocation,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${describeLocation(location)}: ${reason}`, options);
  }
}

export function describeLocation(l: DatLocation): string {
  const where = [`byte ${l.offset}`, `section ${l.section}`];
  if (l.instance) where.push(`instance ${l.instance}`);
  if (l.cpu !== undefined) where.push(`CPU ${l.cpu}`);
  return where.join(', ');
}
