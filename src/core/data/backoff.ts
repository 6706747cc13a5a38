/** Retry delays of a failing backend. */
export interface RetryOptions {
  /** Delay before the first retry, ms (default 100). */
  initialDelayMs?: number;
  /** Longest delay between retries, ms (default 30,000). */
  maxDelayMs?: number;
  /**
   * Failed deliveries in a row after which a backend is quarantined (its points then go only to
   * its spool, for `tracelet sync`). Default: never; a backend that fails is in an outage and is
   * retried for as long as the run lasts.
   */
  quarantineAfter?: number;
}

/**
 * The delay before retry number `attempt` (from 0): exponential, capped, with full-range jitter
 * between 0.5× and 1.5× so that many runs hitting one server do not retry in lockstep.
 *
 * @param attempt - retries already made in this outage
 * @param options - initial and maximum delay
 * @param random - a random number in [0, 1) (default `Math.random()`)
 * @returns the delay, ms
 */
export function backoffDelay(attempt: number, options: RetryOptions = {}, random = Math.random()): number {
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 30_000;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.min(max, Math.round(base * (0.5 + random)));
}
