// The scratch file an ingest keeps its page events in until it pairs them
// (trace/page-event-collector.ts): appended in pieces, read back by position. It sits beside
// the database, where DuckDB spills too, and is unlinked as soon as it is created: the open
// descriptor keeps it alive and the kernel frees it when the descriptor closes, however the
// process ends (SIGKILL, OOM), so no crash leaves one behind. close() frees it at once.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LAKE_DB_PREFIX } from '../db/instance.ts';
import type { SpillStore } from '../trace/page-event-collector.ts';

export interface SpillFile extends SpillStore {
  close(): void;
}

/** The directory of the database file; the system temp directory for an in-memory database. */
export function spillDir(dbPath: string): string {
  if (dbPath === ':memory:' || dbPath.startsWith(LAKE_DB_PREFIX)) return os.tmpdir();
  return path.dirname(path.resolve(dbPath));
}

/** A spill file in dir, created on the first append (a trace without page events never makes one). */
export function openSpillFile(dir: string): SpillFile {
  let fd: number | null = null;
  let size = 0;
  return {
    append(bytes) {
      if (fd === null) {
        const file = path.join(dir, `.pritrace-spill-${process.pid}-${randomUUID()}`);
        fd = fs.openSync(file, 'wx+', 0o600);
        fs.unlinkSync(file);
      }
      const at = size;
      const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let done = 0;
      while (done < u8.length) done += fs.writeSync(fd, u8, done, u8.length - done, at + done);
      size += u8.length;
      return at;
    },
    read(into, position) {
      if (fd === null) throw new Error('spill file: nothing was written');
      let done = 0;
      while (done < into.byteLength) {
        const n = fs.readSync(fd, into, done, into.byteLength - done, position + done);
        if (n === 0) throw new Error(`spill file: read past its end at ${position + done}`);
        done += n;
      }
    },
    close() {
      if (fd !== null) fs.closeSync(fd);
      fd = null;
    },
  };
}
