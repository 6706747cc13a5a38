/** Most calls served from one clock read while calls come faster than a millisecond apart. */
const MAX_SPAN = 64;

/**
 * A millisecond clock for the hot path. Reading the system clock costs 25–100 ns, as much as
 * the rest of `logMetric`, so the last reading is reused for up to 64 calls while calls come
 * less than 1 ms apart. When they come slower the clock is read on every call, and any turn
 * of the event loop (a microtask checkpoint) forces a fresh reading.
 *
 * @example
 * ```ts
 * const clock = new CoarseClock();
 * const ts = --clock.budget > 0 ? clock.now : clock.read();
 * ```
 */
export class CoarseClock {
  /** The last reading, ms since the epoch. */
  now = 0;
  /** Calls left that may reuse {@link CoarseClock.now}; read again when it reaches 0. */
  budget = 0;
  private span = 1;
  private armed = false;
  private readonly invalidate = (): void => {
    this.armed = false;
    this.budget = 0;
  };

  /**
   * Reads the system clock and decides how many calls may reuse the reading.
   *
   * @returns the time, ms since the epoch
   */
  read(): number {
    const now = Date.now();
    // The last reading served `span` calls; if they took 1 ms or more, stop reusing readings.
    if (now - this.now >= 1) this.span = 1;
    else if (this.span < MAX_SPAN) this.span <<= 1;
    this.now = now;
    this.budget = this.span;
    if (!this.armed) {
      this.armed = true;
      queueMicrotask(this.invalidate);
    }
    return now;
  }
}
