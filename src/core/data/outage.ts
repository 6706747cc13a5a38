import type { Logger } from "pino";
import { toTraceletError } from "../errors.js";
import type { PluginHost } from "../lifecycle/plugin-host.js";
import { backoffDelay, type RetryOptions } from "./backoff.js";

/**
 * One backend's outage: from its first failed delivery until one succeeds. Only the first failure
 * of an outage is reported; retries wait with exponential backoff (capped) and jitter, for as long
 * as the run lasts, and a halting channel can cut a wait short. An outage is not a misbehaviour:
 * it quarantines the backend only when the run opted in (`retry.quarantineAfter`).
 */
export class Outage {
  /** Whether the backend is failing now. */
  active = false;
  /** Retries made since the run started. */
  retries = 0;
  private attempt = 0;
  // Failed deliveries in a row (reset by a success).
  private failures = 0;
  private wake: (() => void) | undefined;

  /**
   * @param host - the backend's host (failures are recorded there)
   * @param retry - retry delays
   * @param logger - where a recovery is reported
   */
  constructor(
    private readonly host: PluginHost,
    private readonly retry: RetryOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Records a failed delivery.
   *
   * @param thrown - what the backend threw or rejected with (or the timeout)
   */
  fail(thrown: unknown): void {
    const host = this.host;
    const error = toTraceletError("TRACELET_ERR_HOOK_FAILED", `Plugin "${host.name}" failed in "logMetrics"`, thrown, {
      plugin: host.name,
      hook: "logMetrics",
    });
    const first = !this.active;
    this.active = true;
    this.failures++;
    const limit = this.retry.quarantineAfter ?? Number.POSITIVE_INFINITY;
    host.recordFailure("logMetrics", error, first, this.failures >= limit);
  }

  /** Records a successful delivery: ends the outage, if there was one. */
  recovered(): void {
    this.host.stats.consecutiveFailures = 0;
    if (this.active) this.logger.info({ plugin: this.host.name, retries: this.attempt }, "backend recovered");
    this.active = false;
    this.attempt = 0;
    this.failures = 0;
  }

  /**
   * Waits before the next retry.
   *
   * @returns when the delay has passed or {@link Outage.interrupt} was called
   */
  backoff(): Promise<void> {
    const delay = backoffDelay(this.attempt++, this.retry);
    this.retries++;
    return new Promise((resolve) => {
      const timer = setTimeout(done, delay);
      timer.unref();
      this.wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Ends a backoff wait now (the channel halts). */
  interrupt(): void {
    this.wake?.();
  }
}
