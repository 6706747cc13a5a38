/** Columns of points in step order. */
export interface Columns {
  step: number[];
  value: number[];
  time: number[];
}

/**
 * Candidates that are not copied into the downsampler (e.g. the first/last/min/max points of
 * index blocks, read in place from the index): `count` of them, visited in any order, the same
 * each time `forEach` is called.
 */
export interface CandidateSource {
  count: number;
  forEach(visit: (step: number, value: number, time: number) => void): void;
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
   * The downsampled points of the candidates added and those of `more`, in step order; every
   * candidate when there are no more than `2 * width + 2`. `more` is visited twice (the step
   * range, then the buckets) and never copied, so the memory is that of the buckets.
   *
   * @param more - further candidates
   * @returns the columns
   */
  result(more: CandidateSource = { count: 0, forEach: () => undefined }): Columns {
    const own = (visit: (step: number, value: number, time: number) => void) => {
      for (let i = 0; i < this.step.length; i++) visit(this.step[i], this.value[i], this.time[i]);
    };
    const each = (visit: (step: number, value: number, time: number) => void) => {
      own(visit);
      more.forEach(visit);
    };
    const kept = new Points();
    if (this.step.length + more.count <= 2 * this.width + 2) {
      each((s, v, t) => kept.push(s, v, t));
      return kept.columns();
    }
    // The first and last point (by step, then time), and the step range.
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let loTime = 0;
    let hiTime = 0;
    let loValue = Number.NaN;
    let hiValue = Number.NaN;
    each((s, v, t) => {
      if (s < lo || (s === lo && t < loTime)) {
        lo = s;
        loTime = t;
        loValue = v;
      }
      if (s > hi || (s === hi && t >= hiTime)) {
        hi = s;
        hiTime = t;
        hiValue = v;
      }
    });
    const w = this.width;
    const span = hi - lo + 1;
    // Per bucket: step, value, time of its smallest (0..2) and largest (3..5) point.
    const buckets = new Float64Array(w * 6).fill(Number.NaN);
    each((s, v, t) => {
      if (Number.isNaN(v)) return;
      const o = Math.min(w - 1, Math.floor(((s - lo) / span) * w)) * 6;
      if (Number.isNaN(buckets[o + 1]) || v < buckets[o + 1]) {
        buckets[o] = s;
        buckets[o + 1] = v;
        buckets[o + 2] = t;
      }
      if (Number.isNaN(buckets[o + 4]) || v > buckets[o + 4]) {
        buckets[o + 3] = s;
        buckets[o + 4] = v;
        buckets[o + 5] = t;
      }
    });
    kept.push(lo, loValue, loTime);
    kept.push(hi, hiValue, hiTime);
    for (let o = 0; o < buckets.length; o += 3) {
      if (!Number.isNaN(buckets[o + 1])) kept.push(buckets[o], buckets[o + 1], buckets[o + 2]);
    }
    return kept.columns(true);
  }
}

/** Points kept for the answer, sorted (and, on request, the same point kept once) at the end. */
class Points {
  private readonly list: [number, number, number][] = [];

  push(step: number, value: number, time: number): void {
    this.list.push([step, value, time]);
  }

  columns(unique = false): Columns {
    this.list.sort((a, b) => a[0] - b[0] || a[2] - b[2] || a[1] - b[1]);
    const out: Columns = { step: [], value: [], time: [] };
    let prev: [number, number, number] | undefined;
    for (const p of this.list) {
      // The first point of the range is also its bucket's minimum or maximum, etc.
      if (unique && prev && prev[0] === p[0] && prev[2] === p[2] && Object.is(prev[1], p[1])) continue;
      out.step.push(p[0]);
      out.value.push(p[1]);
      out.time.push(p[2]);
      prev = p;
    }
    return out;
  }
}
