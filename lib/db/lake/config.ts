// Where the lake is, from the environment: PRITRACE_LAKE names its folder (ingests then publish
// into it, and /fleet reads it); PRITRACE_LAKE_ONLY=1 makes a dashboard serve that lake
// read-only instead of a database file, so any number of them can serve one lake.

import path from 'node:path';
import { envText } from '../../core/config.ts';

export function lakeDir(): string | null {
  const v = envText('PRITRACE_LAKE');
  return v ? path.resolve(v) : null;
}

export function lakeOnly(): boolean {
  const v = envText('PRITRACE_LAKE_ONLY');
  if (!v || v === '0') return false;
  if (!lakeDir()) throw new Error('PRITRACE_LAKE_ONLY is set but PRITRACE_LAKE (the lake folder) is not');
  return true;
}
