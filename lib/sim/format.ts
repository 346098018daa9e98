// Field formatting shared by the simulator's writers (permission letters, byte addresses),
// and the batching of lines into ~64 KB chunks for the writers' emit callback.

import { PERM_P, PERM_R, PERM_W, PERM_X } from '../replay/types.ts';
import type { SimEvents } from './simulate.ts';

/** Permission letters in rwxp order, e.g. `rw`. */
export function permLetters(bits: number): string {
  return (bits & PERM_R ? 'r' : '') + (bits & PERM_W ? 'w' : '') + (bits & PERM_X ? 'x' : '') + (bits & PERM_P ? 'p' : '');
}

/** Byte address of event e's page, `0x…`. Pages are below 2^40, so × 4096 stays exact. */
export function byteAddress(ev: SimEvents, e: number): string {
  return `0x${(ev.page[e]! * 4096).toString(16)}`;
}

export function hex(v: number): string {
  return `0x${v.toString(16)}`;
}

/** Collects lines and hands them to emit about 64 KB at a time. */
export class LineBatcher {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly emit: (chunk: string) => void) {}

  line(text: string): void {
    this.parts.push(text);
    this.size += text.length + 1;
    if (this.size >= 65536) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    this.emit(this.parts.join('\n') + '\n');
    this.parts = [];
    this.size = 0;
  }
}
