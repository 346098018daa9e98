// A counting gate for work that must not pile up on a 2-core server: at most `limit` holders
// at once, at most `maxWaiting` callers queued behind them (first come, first served), and a
// caller that cannot get in before its deadline is told so instead of waiting for ever. The
// holder releases when its work has really finished — for the SQL console that is when DuckDB
// returns, which can be after the HTTP answer went out — so abandoned work still counts.

import { SlotsBusyError } from './errors.ts';

export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  timer: NodeJS.Timeout;
}

export class Slots {
  private held = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    readonly what: string,
    readonly limit: number,
    readonly maxWaiting: number,
  ) {}

  get inUse(): number {
    return this.held;
  }

  /** A release function once a slot is free; SlotsBusyError when the queue is full or waitMs passes first. */
  acquire(waitMs: number): Promise<Release> {
    if (this.held < this.limit) return Promise.resolve(this.grantOne());
    if (this.queue.length >= this.maxWaiting || waitMs <= 0) return Promise.reject(new SlotsBusyError(this.what, this.limit));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          reject(new SlotsBusyError(this.what, this.limit));
        }, waitMs),
      };
      this.queue.push(waiter);
    });
  }

  private grantOne(): Release {
    this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      const next = this.queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(this.grantOne());
      }
    };
  }
}

/**
 * One Slots per name per process: Next evaluates a server module once per layer, and a gate
 * that exists twice lets twice the work through.
 */
export function processSlots(name: string, limit: number, maxWaiting: number): Slots {
  const key = Symbol.for(`pritrace.slots.${name}`);
  const g = globalThis as typeof globalThis & Record<symbol, Slots | undefined>;
  return (g[key] ??= new Slots(name, limit, maxWaiting));
}
