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
  /** Start of the bucket after lastBucket: times before it need no bucket arithmetic. */
  private nextStart: number;

  constructor(
    private readonly buckets: number,
    expectedSpanNs: number,
  ) {
    this.width = Math.max(1, Math.ceil(expectedSpanNs / buckets));
    this.nextStart = this.width;
    this.a = new Float64Array(buckets);
    this.b = new Float64Array(buckets);
  }

  /** Bucket of time t; times only move forward. */
  private advance(t: number): number {
    if (t < this.nextStart) return this.lastBucket;
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
    return k;
  }

  setA(t: number, level: number): void {
    const k = this.advance(t);
    this.levelA = level;
    if (level > this.a[k]!) this.a[k] = level;
  }

  setB(t: number, level: number): void {
    const k = this.advance(t);
    this.levelB = level;
    if (level > this.b[k]!) this.b[k] = level;
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
    const k = this.advance(endNs);
    return { bucketNs: this.width, a: Array.from(this.a.subarray(0, k + 1)), b: Array.from(this.b.subarray(0, k + 1)) };
  }
}
