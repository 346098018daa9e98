// Whether the process that left a file behind (an upload's writer, a lake publisher) is still
// running, so that what it left is only cleaned up once it is gone.

import fs from 'node:fs';

/** The state letter of pid in /proc (R, S, D, Z, …), or null where /proc cannot tell. */
function procState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The name in parentheses may itself hold spaces and parentheses: the state follows the last ')'.
    return /^\s*(\S)/.exec(stat.slice(stat.lastIndexOf(')') + 1))?.[1] ?? null;
  } catch {
    return null;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive, but another user's.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A killed server whose parent has not reaped it yet is a zombie: kill(pid, 0) still
  // succeeds, but it will never finish its upload.
  const state = procState(pid);
  return state !== 'Z' && state !== 'X';
}
