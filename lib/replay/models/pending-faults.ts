// fault_param->faults of every device, for the per-device model: the groups reported and not
// yet answered, oldest first. The kernel's response walks this list from the head until the
// group matches; that walk's length is the model's pending_list cost. A group is pending on
// at most one device, once, so the links live in arrays indexed by group: insert is O(1), and
// remove walks from the head only to count the entries the kernel's walk would compare (no
// key comparisons, no node allocation — LinkedList's general machinery cost more than the
// ~1.2-entry walks it did).

import { scratchI32 } from '../scratch.ts';

const NIL = -1;

export class PendingFaults {
  /** Entries the last remove compared, the matching one included (the list's size on a miss). */
  lastVisits = 0;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly size: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** Device + 1 of the list holding the group, 0 when it is in none. */
  private readonly owner: Int32Array;

  constructor(devices: number, groups: number) {
    this.head = new Int32Array(devices).fill(NIL);
    this.tail = new Int32Array(devices).fill(NIL);
    this.size = new Int32Array(devices);
    this.next = scratchI32('pending.next', groups);
    this.prev = scratchI32('pending.prev', groups);
    this.owner = scratchI32('pending.owner', groups);
  }

  /** list_add_tail of group g on device d's list. */
  insert(d: number, g: number): void {
    if (this.owner[g] !== 0) throw new RangeError(`group ${g} is already pending on device ${this.owner[g]! - 1}`);
    this.owner[g] = d + 1;
    this.next[g] = NIL;
    this.prev[g] = this.tail[d]!;
    if (this.tail[d] === NIL) this.head[d] = g;
    else this.next[this.tail[d]!] = g;
    this.tail[d] = g;
    this.size[d]!++;
  }

  /** Unlinks group g from device d's list; false (having walked it all) when it is not there. */
  remove(d: number, g: number): boolean {
    if (this.owner[g] !== d + 1) {
      this.lastVisits = this.size[d]!;
      return false;
    }
    let visits = 1;
    for (let n = this.head[d]!; n !== g; n = this.next[n]!) visits++;
    this.lastVisits = visits;
    const p = this.prev[g]!;
    const x = this.next[g]!;
    if (p === NIL) this.head[d] = x;
    else this.next[p] = x;
    if (x === NIL) this.tail[d] = p;
    else this.prev[x] = p;
    this.owner[g] = 0;
    this.size[d]!--;
    return true;
  }
}
