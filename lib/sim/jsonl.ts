// Writes simulator events as JSON Lines with the CSV's field names. ts_ns is a string of
// digits so that 64-bit times never pass through a JSON number (and Number); absent fields
// are null, as lib/trace/formats/sim-jsonl.ts expects.

import { byteAddress, hex, LineBatcher, permLetters } from './format.ts';
import { KIND_REQUEST, type SimEvents } from './simulate.ts';

export function writeSimJsonl(ev: SimEvents, emit: (chunk: string) => void): void {
  const out = new LineBatcher(emit);
  for (let e = 0; e < ev.count; e++) {
    const isRequest = ev.kind[e] === KIND_REQUEST;
    const record = {
      ts_ns: ev.tsNs[e]!.toString(),
      kind: isRequest ? 'page_request' : 'page_response',
      device: ev.devices[ev.device[e]!]!,
      pasid: ev.pasid[e]!,
      prgi: ev.prgi[e]!,
      last: isRequest ? ev.last[e]! : null,
      addr: isRequest ? byteAddress(ev, e) : null,
      perm: isRequest ? permLetters(ev.perm[e]!) : null,
      code: isRequest ? null : ev.code[e]!,
      rid: hex(ev.rid[e]!),
      iommu: ev.iommus[ev.iommu[e]!]!,
      cpu: ev.cpu[e]!,
    };
    out.line(JSON.stringify(record));
  }
  out.flush();
}
