// Downsampled "level over time" series for the replay's queue-depth chart: a fixed number
// of buckets holding the largest level seen in each; when time runs past the last bucket,
// neighbouring buckets merge and the width doubles, so memory stays bounded whatever the
// trace length. Levels are carried across buckets where nothing changed.

export class LevelSeries {
  private width: number;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private lastBucket = 0;
  /** Start of the bucket after the current one. The caller keeps the current bucket's
   *  largest levels itself and hands them over only when its time passes this: levels
   *  change at nearly every event, and a call per change was a call V8 would not inline. */
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

  /**
   * Closes the current bucket with the largest levels seen in it (maxA, maxB) and moves to
   * time t's bucket (times only move forward); the buckets passed over, and the new one's
   * start, hold the levels at the moment (levelA, levelB).
   */
  advance(t: number, maxA: number, maxB: number, levelA: number, levelB: number): void {
    const cur = this.lastBucket;
    if (maxA > this.a[cur]!) this.a[cur] = maxA;
    if (maxB > this.b[cur]!) this.b[cur] = maxB;
    if (t < this.nextStart) return;
    let k = Math.floor(t / this.width);
    while (k >= this.buckets) {
      this.compress();
      k = Math.floor(t / this.width);
    }
    for (let j = this.lastBucket + 1; j <= k; j++) {
      this.a[j] = levelA;
      this.b[j] = levelB;
    }
    if (k > this.lastBucket) this.lastBucket = k;
    this.nextStart = (this.lastBucket + 1) * this.width;
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

  /** The series up to time endNs (arguments as for advance): bucket width and the two max-per-bucket arrays. */
  finish(endNs: number, maxA: number, maxB: number, levelA: number, levelB: number): { bucketNs: number; a: number[]; b: number[] } {
    this.advance(endNs, maxA, maxB, levelA, levelB);
    const k = this.lastBucket;
    return { bucketNs: this.width, a: Array.from(this.a.subarray(0, k + 1)), b: Array.from(this.b.subarray(0, k + 1)) };
  }
}
