// The simulator CSV reader parses whole blocks of lines where it can (sim-csv.ts csvRows): its
// rows must be exactly those of papaparse's stream mode over the same text, which is what it
// read before and what the reference here runs, fed in 4 KiB pieces.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import Papa from 'papaparse';
import { csvRows } from '../../lib/trace/formats/sim-csv.ts';

async function streamModeRows(text: string): Promise<string[][]> {
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { header: false, skipEmptyLines: false });
  const pieces = function* () {
    const t = text.replace(/^\uFEFF/, '');
    for (let i = 0; i < t.length; i += 4096) yield t.slice(i, i + 4096);
  };
  Readable.from(pieces()).pipe(parser);
  const rows: string[][] = [];
  for await (const row of parser as AsyncIterable<string[]>) rows.push(row);
  return rows;
}

async function blockRows(text: string, chunk: number): Promise<string[][]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
  }
  const rows: string[][] = [];
  for await (const b of csvRows(chunks())) rows.push(...b.rows);
  return rows;
}

const HEADER = 'ts_ns,kind,device,pasid,prgi,last,addr,perm,code,rid,iommu,cpu';
/** ~2.6 MB of rows: more than two blocks. */
const body = Array.from(
  { length: 40_000 },
  (_, i) =>
    `${5823000000000 + i * 37},page_request,0000:3a:00.0,${i % 50},${i % 7},${i % 3 === 0 ? 1 : 0},0x5533${i.toString(16)}000,rw,,0x3a00,dmar1,${i % 16}`,
);
const lines = [HEADER, ...body];

const VARIANTS: Record<string, string> = {
  'LF, final line break': lines.join('\n') + '\n',
  CRLF: lines.join('\r\n') + '\r\n',
  'lone CR': lines.join('\r') + '\r',
  'blank lines at the end': lines.join('\n') + '\n\n\n',
  'no final line break': lines.join('\n'),
  BOM: '\uFEFF' + lines.join('\n') + '\n',
  'a quoted field after two blocks':
    [...lines.slice(0, 30_000), '5823999999999,page_request,"0000:3a:00.0",9,0,1,0x1000,rw,,0x3a00,dmar1,7', ...lines.slice(30_000)].join('\n') + '\n',
  'a quoted line break after two blocks':
    [...lines.slice(0, 30_000), '5823,page_request,"dev\nwith a break",9,0,1,0x1000,rw,,0x3a00,dmar1,7', ...lines.slice(30_000)].join('\n') + '\n',
  'a 3 MB line between blocks': [...lines.slice(0, 10), 'x'.repeat(3_000_000), ...lines.slice(10)].join('\n') + '\n',
};

describe('simulator CSV rows parsed by blocks', () => {
  for (const [name, text] of Object.entries(VARIANTS)) {
    it(`gives stream mode's rows: ${name}`, async () => {
      const want = await streamModeRows(text);
      // 65 536: a file stream's chunks; 4099 and 7: chunks that end inside a CRLF and inside rows.
      for (const chunk of [65_536, 4099, 7]) {
        if (chunk === 7 && text.length > 3_000_000) continue;
        const got = await blockRows(text, chunk);
        assert.equal(got.length, want.length, `${name}, chunks of ${chunk}: row count`);
        assert.deepEqual(got, want, `${name}, chunks of ${chunk}`);
      }
    });
  }
});
