import { scrubError } from "../config/redact.js";
import { TraceletError, toTraceletError } from "../errors.js";
import { failureCause } from "../failure-cause.js";
import type { HookName, PluginErrorInfo, PluginStats, PluginStatus } from "../types.js";
import { HostBinding } from "./host-binding.js";
import { statusOf } from "./host-status.js";
import {
  type CallResult,
  DEFAULT_QUARANTINE_AFTER,
  type HostChange,
  type HostChangeListener,
  type PluginHostOptions,
} from "./plugin-host-options.js";
import { withDeadline } from "./with-deadline.js";

export { type CallResult, DEFAULT_QUARANTINE_AFTER, type HostChange, type HostChangeListener, type PluginHostOptions };

/**
 * Holds one plugin inside a run: its state, its stats, and every call the engine makes on it,
 * each under a deadline and isolated (a failure is recorded, reported on the `error` hook and
 * returned, never thrown). Secret config values are scrubbed from every message it records.
 */
export class PluginHost extends HostBinding {
  /** Failures in a row before quarantine. */
  readonly quarantineAfter: number;
  /** Engine-kept counters. */
  readonly stats: PluginStats = { calls: {}, failures: {}, timeMs: {}, consecutiveFailures: 0, points: 0 };
  private lastError: PluginErrorInfo | undefined;

  /** @param options - the plugin and its surroundings */
  constructor(options: PluginHostOptions) {
    super(options);
    this.quarantineAfter = Math.max(1, options.quarantineAfter ?? DEFAULT_QUARANTINE_AFTER);
  }

  /**
   * Calls the plugin under a deadline; records time, calls and failures. A `perPlugin`
   * deadline for this hook wins over `timeoutMs`.
   *
   * @param hook - which hook this call is
   * @param timeoutMs - the deadline the caller wants
   * @param fn - the call, given the call's abort signal
   * @param capMs - an upper bound whatever the deadlines say (what is left of the shutdown)
   * @returns the value, or the coded error
   */
  async call<T>(
    hook: HookName,
    timeoutMs: number,
    fn: (signal: AbortSignal) => T | Promise<T>,
    capMs = Number.POSITIVE_INFINITY,
  ): Promise<CallResult<T>> {
    if (this.state === "quarantined" && hook !== "stop") return { ok: false, error: this.quarantineError(hook) };
    const stats = this.stats;
    stats.calls[hook] = (stats.calls[hook] ?? 0) + 1;
    const deadline = Math.min(this.overrideFor(hook) ?? timeoutMs, capMs);
    const started = performance.now();
    try {
      const value = await withDeadline(this.name, hook, deadline, fn, this.teardown.signal);
      stats.consecutiveFailures = 0;
      return { ok: true, value };
    } catch (thrown) {
      const error = toTraceletError("TRACELET_ERR_HOOK_FAILED", `Plugin "${this.name}" failed in "${hook}"`, thrown, {
        plugin: this.name,
        hook,
      });
      this.recordFailure(hook, error);
      return { ok: false, error };
    } finally {
      stats.timeMs[hook] = (stats.timeMs[hook] ?? 0) + (performance.now() - started);
    }
  }

  /**
   * Records a failure (its message scrubbed of secrets); quarantines a started plugin after
   * `quarantineAfter` failures in a row with `TRACELET_ERR_PLUGIN_QUARANTINED`.
   *
   * @param hook - the failing hook
   * @param error - the coded error
   * @param report - log it and fire the `error` hook (false for a retry within one outage:
   *   it still counts toward quarantine)
   * @param quarantine - whether this failure may quarantine the plugin (default: by the count of
   *   failures in a row; false for a backend's failed delivery, which is retried, not punished,
   *   unless the run opted in)
   */
  recordFailure(hook: HookName, error: TraceletError, report = true, quarantine?: boolean): void {
    scrubError(error, this.secrets);
    const stats = this.stats;
    stats.failures[hook] = (stats.failures[hook] ?? 0) + 1;
    stats.consecutiveFailures++;
    const cause = failureCause(error);
    this.lastError = { code: error.code, hook, message: error.message, cause };
    if (report) {
      this.logger.warn({ hook, code: error.code }, error.message);
      this.logger.debug({ hook, code: error.code, err: cause }, `cause: ${cause.message}`);
      this.safely("error", () => this.hooks.error.call({ plugin: this.name, hook, error }));
    }
    if (this.state === "started" && (quarantine ?? stats.consecutiveFailures >= this.quarantineAfter)) {
      const quarantined = this.quarantineError(hook, error);
      this.transition("quarantined");
      this.lastError = { code: quarantined.code, hook, message: quarantined.message, cause };
      this.logger.error({ hook, code: quarantined.code }, quarantined.message);
      this.safely("error", () => this.hooks.error.call({ plugin: this.name, hook, error: quarantined }));
    }
  }

  /**
   * The status as `exp.status()` and `manager.getPluginStatus()` show it: state, engine stats,
   * last error, and the plugin's own `getStatus()` (scrubbed of secrets; a throwing
   * `getStatus()` is reported, not thrown).
   *
   * @returns the status
   */
  status(): PluginStatus {
    return statusOf(this.name, this.type, this.state, this.stats, this.lastError, this.instance, this.secrets);
  }

  private quarantineError(hook: HookName, cause?: TraceletError): TraceletError {
    const last = cause ? ` (last: ${cause.code} in "${hook}")` : "";
    return new TraceletError(
      "TRACELET_ERR_PLUGIN_QUARANTINED",
      `Plugin "${this.name}" is quarantined after ${this.stats.consecutiveFailures} failures in a row${last}.`,
      { cause, details: { plugin: this.name, hook, failures: this.stats.consecutiveFailures } },
    );
  }
}
