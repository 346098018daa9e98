// Downsampled "level over time" series for the replay's queue-depth chart: a fixed number
// of buckets holding the largest level seen in each; when time runs past the last bucket,
// neighbouring buckets merge and the width doubles, so memory stays bounded whatever the
// trace length. Levels are carried across buckets where nothing changed.

export class LevelSeries {
  private width: number;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private levelA = 0;
  private levelB = 0;
  private lastBucket = 0;
  /** Start of the bucket after the current one. The engine compares its time with it in
   *  place and calls advance only past it: a time passed to a call that is not inlined is
   *  boxed once it exceeds 2^31 ns, and setting levels is per event. */
  nextStart: number;

  constructor(
    private readonly buckets: number,
    expectedSpanNs: number,
  ) {
    this.width = Math.max(1, Math.ceil(expectedSpanNs / buckets));
    this.nextStart = this.width;
    this.a = new Float64Array(buckets);
    this.b = new Float64Array(buckets);
  }

  /** Moves the current bucket to time t's (times only move forward). */
  advance(t: number): void {
    if (t < this.nextStart) return;
    let k = Math.floor(t / this.width);
    while (k >= this.buckets) {
      this.compress();
      k = Math.floor(t / this.width);
    }
    for (let j = this.lastBucket + 1; j <= k; j++) {
      this.a[j] = this.levelA;
      this.b[j] = this.levelB;
    }
    if (k > this.lastBucket) this.lastBucket = k;
    this.nextStart = (this.lastBucket + 1) * this.width;
  }

  /** Level A from the current time on (advance first when time passed nextStart). */
  setA(level: number): void {
    this.levelA = level;
    if (level > this.a[this.lastBucket]!) this.a[this.lastBucket] = level;
  }

  /** Level B from the current time on. */
  setB(level: number): void {
    this.levelB = level;
    if (level > this.b[this.lastBucket]!) this.b[this.lastBucket] = level;
  }

  private compress(): void {
    const half = this.buckets >> 1;
    for (const arr of [this.a, this.b]) {
      for (let j = 0; j < half; j++) arr[j] = Math.max(arr[2 * j]!, arr[2 * j + 1] ?? 0);
      arr.fill(0, half);
    }
    this.width *= 2;
    this.lastBucket >>= 1;
    this.nextStart = (this.lastBucket + 1) * this.width;
  }

  /** The series up to time endNs: bucket width and the two max-per-bucket arrays. */
  finish(endNs: number): { bucketNs: number; a: number[]; b: number[] } {
    this.advance(endNs);
    const k = this.lastBucket;
    return { bucketNs: this.width, a: Array.from(this.a.subarray(0, k + 1)), b: Array.from(this.b.subarray(0, k + 1)) };
  }
}
