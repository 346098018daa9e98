// Writes simulator events as the simulator CSV format that lib/trace/formats/sim-csv.ts
// reads: header `ts_ns,kind,device,pasid,prgi,last,addr,perm,code,rid,iommu,cpu`;
// responses leave last, addr and perm empty, requests leave code empty. No field needs
// quoting (no commas or quotes can occur), so rows are joined directly.

import { byteAddress, hex, LineBatcher, permLetters } from './format.ts';
import { KIND_REQUEST, type SimEvents } from './simulate.ts';

export const SIM_CSV_HEADER = 'ts_ns,kind,device,pasid,prgi,last,addr,perm,code,rid,iommu,cpu';

export function writeSimCsv(ev: SimEvents, emit: (chunk: string) => void): void {
  const out = new LineBatcher(emit);
  out.line(SIM_CSV_HEADER);
  for (let e = 0; e < ev.count; e++) {
    const common = `${ev.devices[ev.device[e]!]},${ev.pasid[e]},${ev.prgi[e]}`;
    const tail = `${hex(ev.rid[e]!)},${ev.iommus[ev.iommu[e]!]},${ev.cpu[e]}`;
    if (ev.kind[e] === KIND_REQUEST) {
      out.line(`${ev.tsNs[e]},page_request,${common},${ev.last[e]},${byteAddress(ev, e)},${permLetters(ev.perm[e]!)},,${tail}`);
    } else {
      out.line(`${ev.tsNs[e]},page_response,${common},,,,${ev.code[e]},${tail}`);
    }
  }
  out.flush();
}
