// DuckDB lets one process hold a database file. While the dashboard server holds it, it
// records its address next to the file (`<db>.server.json`); a CLI command that must write
// finds the address here and streams its work to the server instead of failing on the lock.

import fs from 'node:fs';

export interface ServerAddress {
  url: string;
  pid: number;
}

function recordPath(dbPath: string): string {
  return `${dbPath}.server.json`;
}

export function recordServer(dbPath: string, address: ServerAddress): void {
  fs.writeFileSync(recordPath(dbPath), JSON.stringify(address));
}

export function forgetServer(dbPath: string): void {
  fs.rmSync(recordPath(dbPath), { force: true });
}

/** The server holding dbPath, if one recorded itself and its process is alive. */
export function findServer(dbPath: string): ServerAddress | null {
  try {
    const a = JSON.parse(fs.readFileSync(recordPath(dbPath), 'utf8')) as ServerAddress;
    process.kill(a.pid, 0);
    return a;
  } catch {
    return null;
  }
}
