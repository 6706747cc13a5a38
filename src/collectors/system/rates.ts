/**
 * Turns cumulative counters into per-second rates using the real time between two readings.
 * The first reading of a key only primes it; a counter that went backwards (reset, wrap,
 * device gone) yields nothing for that interval.
 */
export class Rates {
  private readonly previous = new Map<string, { value: number; at: number }>();

  /**
   * Records a reading and returns the rate since the previous one of the same key.
   *
   * @param key - which counter
   * @param value - its cumulative value
   * @param at - when it was read, in ms (`performance.now()`)
   * @returns units per second, or undefined on the first reading, after a reset, or when no time passed
   */
  update(key: string, value: number, at: number): number | undefined {
    const before = this.previous.get(key);
    if (!before) {
      this.previous.set(key, { value, at });
      return undefined;
    }
    const seconds = (at - before.at) / 1000;
    const delta = value - before.value;
    // Updated in place: one object per counter for the whole run.
    before.value = value;
    before.at = at;
    if (!(seconds > 0) || delta < 0) return undefined;
    return delta / seconds;
  }

  /** Forgets every counter. */
  clear(): void {
    this.previous.clear();
  }
}
