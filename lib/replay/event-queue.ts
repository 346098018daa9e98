// Pending events of the replay engine, ordered by (time, seq): a binary min-heap kept in
// typed arrays so that pushing and popping allocate nothing. seq is a counter stamped at
// push time, which makes the order of events at equal times deterministic (FIFO).
// Only the engine uses it; the heap stays small (one entry per drain thread and busy
// worker), because arrivals are read from the sorted input, not pushed here, and events
// whose times only grow as they are pushed (whole-group retries: now + a constant) go to a
// FIFO beside the heap — in an overflow storm they were millions of heap pushes and pops
// per replay. pop() takes the smaller (time, seq) of the two heads: the order is exactly
// the one a single heap gives.

export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  private kind: Int32Array;
  private a: Int32Array;
  private b: Int32Array;
  private n = 0;
  private nextSeq = 0;
  // The FIFO lane: a ring of (time, seq, kind, a, b), sorted by (time, seq) by construction.
  private fTime: Float64Array;
  private fSeq: Float64Array;
  private fKind: Int32Array;
  private fA: Int32Array;
  private fB: Int32Array;
  private fHead = 0;
  private fCount = 0;

  /** Time of the earliest event, +Infinity when empty: kept by every push and pop. */
  private head = Infinity;
  /** Push stamp of the earliest event (meaningless when empty). */
  private headSeq = 0;
  /** Time of the next schedule() (see at). */
  private pushTime = 0;

  /** Fields of the event returned by the last pop(). */
  popKind = 0;
  popA = 0;
  popB = 0;
  popTime = 0;

  constructor(capacity = 64) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kind = new Int32Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.fTime = new Float64Array(16);
    this.fSeq = new Float64Array(16);
    this.fKind = new Int32Array(16);
    this.fA = new Int32Array(16);
    this.fB = new Int32Array(16);
  }

  get size(): number {
    return this.n + this.fCount;
  }

  /** Time of the earliest event; +Infinity when empty. */
  peekTime(): number {
    return this.head;
  }

  /** Push stamp of the earliest event: orders it against events kept outside at the same time. */
  peekSeq(): number {
    return this.headSeq;
  }

  /**
   * Takes a push stamp for an event the caller keeps outside the queue (the engine's one
   * pending drain-thread step per IOMMU): compared with peekSeq() at equal times, it gives
   * the order the event would have had inside.
   */
  stamp(): number {
    return this.nextSeq++;
  }

  /**
   * push() for an event no earlier than any pushed this way before: O(1) in the FIFO lane.
   * An earlier one (never, for the engine's retries) goes to the heap, so order holds anyway.
   */
  pushLater(time: number, kind: number, a: number, b: number): void {
    const cap = this.fTime.length;
    if (this.fCount > 0 && time < this.fTime[(this.fHead + this.fCount - 1) % cap]!) {
      this.push(time, kind, a, b);
      return;
    }
    if (this.fCount === cap) this.growFifo();
    const j = (this.fHead + this.fCount) % this.fTime.length;
    this.fTime[j] = time;
    this.fSeq[j] = this.nextSeq++;
    this.fKind[j] = kind;
    this.fA[j] = a;
    this.fB[j] = b;
    this.fCount++;
    if (time < this.head) {
      this.head = time;
      this.headSeq = this.fSeq[j]!;
    }
  }

  push(time: number, kind: number, a: number, b: number): void {
    this.at(time).schedule(kind, a, b);
  }

  /**
   * Sets the time of the next schedule(). The engine pushes as at(t).schedule(kind, a, b):
   * a time passed as an argument to a call V8 does not inline is boxed once it is past
   * 2^31 ns (not a small integer) — a heap number per event, most of what a long replay
   * allocated — while this setter is small enough to be inlined always, so the time
   * reaches the heap through a field. (push itself is inlined only while the engine's
   * inlining budget lasts, which it does not.)
   */
  at(time: number): this {
    this.pushTime = time;
    return this;
  }

  /** Adds an event at the time set by at(). */
  schedule(kind: number, a: number, b: number): void {
    const time = this.pushTime;
    if (this.n === this.time.length) this.grow();
    const s = this.nextSeq++;
    let i = this.n++;
    // Sift up: move parents down until the slot for the new event is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.time[p]!;
      if (pt < time || (pt === time && this.seq[p]! < s)) break;
      this.move(p, i);
      i = p;
    }
    this.time[i] = time;
    this.seq[i] = s;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
    if (time < this.head) {
      this.head = time;
      this.headSeq = s;
    }
  }

  /** Removes the earliest event; its fields are left in popTime/popKind/popA/popB. */
  pop(): boolean {
    if (this.fCount > 0) {
      const j = this.fHead;
      const ft = this.fTime[j]!;
      if (this.n === 0 || ft < this.time[0]! || (ft === this.time[0]! && this.fSeq[j]! < this.seq[0]!)) {
        this.popTime = ft;
        this.popKind = this.fKind[j]!;
        this.popA = this.fA[j]!;
        this.popB = this.fB[j]!;
        this.fHead = j + 1 === this.fTime.length ? 0 : j + 1;
        this.fCount--;
        this.setHead();
        return true;
      }
    }
    if (this.n === 0) return false;
    this.popTime = this.time[0]!;
    this.popKind = this.kind[0]!;
    this.popA = this.a[0]!;
    this.popB = this.b[0]!;
    const last = --this.n;
    if (last === 0) {
      this.setHead();
      return true;
    }
    const t = this.time[last]!;
    const s = this.seq[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      let c = l;
      const r = l + 1;
      if (r < last) {
        const lt = this.time[l]!;
        const rt = this.time[r]!;
        if (rt < lt || (rt === lt && this.seq[r]! < this.seq[l]!)) c = r;
      }
      const ct = this.time[c]!;
      if (t < ct || (t === ct && s < this.seq[c]!)) break;
      this.move(c, i);
      i = c;
    }
    this.time[i] = t;
    this.seq[i] = s;
    this.kind[i] = this.kind[last]!;
    this.a[i] = this.a[last]!;
    this.b[i] = this.b[last]!;
    this.setHead();
    return true;
  }

  private setHead(): void {
    const h = this.n > 0 ? this.time[0]! : Infinity;
    const f = this.fCount > 0 ? this.fTime[this.fHead]! : Infinity;
    if (f < h || (f === h && f !== Infinity && this.fSeq[this.fHead]! < this.seq[0]!)) {
      this.head = f;
      this.headSeq = this.fSeq[this.fHead]!;
    } else {
      this.head = h;
      this.headSeq = this.n > 0 ? this.seq[0]! : 0;
    }
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from]!;
    this.seq[to] = this.seq[from]!;
    this.kind[to] = this.kind[from]!;
    this.a[to] = this.a[from]!;
    this.b[to] = this.b[from]!;
  }

  private growFifo(): void {
    const cap = this.fTime.length;
    const order = (a: Float64Array | Int32Array, b: Float64Array | Int32Array) => {
      for (let k = 0; k < this.fCount; k++) b[k] = a[(this.fHead + k) % cap]!;
      return b;
    };
    this.fTime = order(this.fTime, new Float64Array(cap * 2)) as Float64Array;
    this.fSeq = order(this.fSeq, new Float64Array(cap * 2)) as Float64Array;
    this.fKind = order(this.fKind, new Int32Array(cap * 2)) as Int32Array;
    this.fA = order(this.fA, new Int32Array(cap * 2)) as Int32Array;
    this.fB = order(this.fB, new Int32Array(cap * 2)) as Int32Array;
    this.fHead = 0;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap);
    t.set(this.time);
    this.time = t;
    const s = new Float64Array(cap);
    s.set(this.seq);
    this.seq = s;
    const k = new Int32Array(cap);
    k.set(this.kind);
    this.kind = k;
    const a = new Int32Array(cap);
    a.set(this.a);
    this.a = a;
    const b = new Int32Array(cap);
    b.set(this.b);
    this.b = b;
  }
}
