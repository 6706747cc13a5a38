/** Columns of points in step order. */
export interface Columns {
  step: number[];
  value: number[];
  time: number[];
}

/**
 * Min/max downsampling over step buckets: candidates (raw points, or the first/last/min/max
 * points of index blocks) are put into `width` equal step buckets, and each bucket keeps its
 * smallest and largest value, so a spike is never lost; the first and last point are kept too.
 * The answer has at most `2 * width + 2` points.
 */
export class Downsampler {
  private readonly step: number[] = [];
  private readonly value: number[] = [];
  private readonly time: number[] = [];

  /** @param width - buckets (about the chart's width in pixels) */
  constructor(private readonly width: number) {}

  /**
   * Adds a candidate point.
   *
   * @param step - its step
   * @param value - its value
   * @param time - its timestamp, ms
   */
  add(step: number, value: number, time: number): void {
    this.step.push(step);
    this.value.push(value);
    this.time.push(time);
  }

  /** Candidates added so far. */
  get size(): number {
    return this.step.length;
  }

  /**
   * Every candidate, in step order (for a range small enough to send whole).
   *
   * @returns the columns
   */
  all(): Columns {
    return this.pick(this.step.map((_, i) => i));
  }

  /**
   * The downsampled points, in step order.
   *
   * @returns the columns
   */
  result(): Columns {
    const n = this.step.length;
    if (n <= 2 * this.width + 2) return this.all();
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let first = 0;
    let last = 0;
    for (let i = 0; i < n; i++) {
      const s = this.step[i];
      if (s < lo || (s === lo && this.time[i] < this.time[first])) {
        lo = s;
        first = i;
      }
      if (s > hi || (s === hi && this.time[i] >= this.time[last])) {
        hi = s;
        last = i;
      }
    }
    const span = hi - lo + 1;
    const minAt = new Int32Array(this.width).fill(-1);
    const maxAt = new Int32Array(this.width).fill(-1);
    for (let i = 0; i < n; i++) {
      const v = this.value[i];
      if (Number.isNaN(v)) continue;
      const b = Math.min(this.width - 1, Math.floor(((this.step[i] - lo) / span) * this.width));
      if (minAt[b] < 0 || v < this.value[minAt[b]]) minAt[b] = i;
      if (maxAt[b] < 0 || v > this.value[maxAt[b]]) maxAt[b] = i;
    }
    const keep = new Set<number>([first, last]);
    for (let b = 0; b < this.width; b++) {
      if (minAt[b] >= 0) keep.add(minAt[b]);
      if (maxAt[b] >= 0) keep.add(maxAt[b]);
    }
    return this.pick([...keep]);
  }

  private pick(indexes: number[]): Columns {
    indexes.sort((a, b) => this.step[a] - this.step[b] || this.time[a] - this.time[b]);
    return {
      step: indexes.map((i) => this.step[i]),
      value: indexes.map((i) => this.value[i]),
      time: indexes.map((i) => this.time[i]),
    };
  }
}
