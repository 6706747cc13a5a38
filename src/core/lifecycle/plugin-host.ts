import type { Logger } from "pino";
import { type TraceletError, toTraceletError } from "../errors.js";
import type { TraceletHooks } from "../hooks.js";
import type { BackendInstance, CollectorInstance, PluginInstance } from "../plugin-api.js";
import type {
  HookName,
  PluginContext,
  PluginErrorInfo,
  PluginState,
  PluginStats,
  PluginStatus,
  PluginType,
  RunIdentity,
} from "../types.js";
import { assertTransition } from "./state-machine.js";
import { withDeadline } from "./with-deadline.js";

/** Everything a {@link PluginHost} needs about its plugin. */
export interface PluginHostOptions {
  /** Plugin name. */
  name: string;
  /** Plugin type. */
  type: PluginType;
  /** The plugin instance. */
  instance: PluginInstance;
  /** Validated, frozen config. */
  config: Readonly<Record<string, unknown>>;
  /** The plugin's child logger. */
  logger: Logger;
  /** The run's identity. */
  run: RunIdentity;
  /** The run's hooks (for `error` and `stateChange`). */
  hooks: TraceletHooks;
  /** Names of the plugins this one depends on. */
  dependsOn?: readonly string[];
  /** Failures in a row before quarantine (default 5). */
  quarantineAfter?: number;
}

/** The result of one isolated plugin call. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: TraceletError };

/**
 * Holds one plugin inside a run: its state, its stats, and every call the engine makes on it,
 * each under a deadline and isolated (a failure is recorded, reported on the `error` hook and
 * returned, never thrown).
 */
export class PluginHost {
  /** Plugin name. */
  readonly name: string;
  /** Plugin type. */
  readonly type: PluginType;
  /** The plugin instance. */
  readonly instance: PluginInstance;
  /** Names of the plugins this one depends on. */
  readonly dependsOn: readonly string[];
  /** The plugin's child logger. */
  readonly logger: Logger;
  /** Validated, frozen config. */
  config: Readonly<Record<string, unknown>>;
  private currentState: PluginState = "loaded";
  private lastError: PluginErrorInfo | undefined;
  private readonly quarantineAfter: number;
  private readonly hooks: TraceletHooks;
  private readonly run: RunIdentity;
  /** Engine-kept counters. */
  readonly stats: PluginStats = { calls: {}, failures: {}, timeMs: {}, consecutiveFailures: 0, points: 0 };

  /** @param options - the plugin and its surroundings */
  constructor(options: PluginHostOptions) {
    this.name = options.name;
    this.type = options.type;
    this.instance = options.instance;
    this.config = options.config;
    this.logger = options.logger;
    this.run = options.run;
    this.hooks = options.hooks;
    this.dependsOn = options.dependsOn ?? [];
    this.quarantineAfter = options.quarantineAfter ?? 5;
  }

  /** The current lifecycle state. */
  get state(): PluginState {
    return this.currentState;
  }

  /** The instance as a backend. */
  get backend(): BackendInstance {
    return this.instance as BackendInstance;
  }

  /** The instance as a collector. */
  get collector(): CollectorInstance {
    return this.instance as CollectorInstance;
  }

  /**
   * Moves to a new state, refusing illegal transitions, and fires `stateChange`.
   *
   * @param to - the new state
   * @throws TraceletError `TRACELET_ERR_ILLEGAL_TRANSITION`
   */
  transition(to: PluginState): void {
    const from = this.currentState;
    if (from === to) return;
    assertTransition(this.name, from, to);
    this.currentState = to;
    this.hooks.stateChange.call({ plugin: this.name, type: this.type, from, to });
  }

  /** A context for one lifecycle call. */
  context(signal: AbortSignal): PluginContext {
    return { name: this.name, logger: this.logger, signal, run: this.run };
  }

  /**
   * Calls the plugin under a deadline; records time, calls and failures.
   *
   * @param hook - which hook this call is
   * @param timeoutMs - the deadline
   * @param fn - the call, given the call's abort signal
   * @returns the value, or the coded error
   */
  async call<T>(
    hook: HookName,
    timeoutMs: number,
    fn: (signal: AbortSignal) => T | Promise<T>,
  ): Promise<CallResult<T>> {
    const stats = this.stats;
    stats.calls[hook] = (stats.calls[hook] ?? 0) + 1;
    const started = performance.now();
    try {
      const value = await withDeadline(this.name, hook, timeoutMs, fn);
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
   * Records a failure; quarantines a started plugin after too many in a row.
   *
   * @param hook - the failing hook
   * @param error - the coded error
   */
  recordFailure(hook: HookName, error: TraceletError): void {
    const stats = this.stats;
    stats.failures[hook] = (stats.failures[hook] ?? 0) + 1;
    stats.consecutiveFailures++;
    this.lastError = { code: error.code, hook, message: error.message };
    this.logger.warn({ hook, code: error.code }, error.message);
    this.hooks.error.call({ plugin: this.name, hook, error });
    if (this.currentState === "started" && stats.consecutiveFailures >= this.quarantineAfter) {
      this.transition("quarantined");
      this.logger.error({ hook }, `quarantined after ${stats.consecutiveFailures} failures in a row`);
    }
  }

  /** Whether the plugin should still receive calls. */
  get active(): boolean {
    return this.currentState === "started" || this.currentState === "initialized" || this.currentState === "stopping";
  }

  /** The status as `exp.status()` shows it. */
  status(): PluginStatus {
    let own: Record<string, unknown> | undefined;
    try {
      own = this.instance.getStatus?.();
    } catch (error) {
      own = { error: error instanceof Error ? error.message : String(error) };
    }
    const status: PluginStatus = {
      name: this.name,
      type: this.type,
      state: this.currentState,
      stats: structuredClone(this.stats),
    };
    if (this.lastError) status.lastError = { ...this.lastError };
    if (own) status.own = own;
    return status;
  }
}
