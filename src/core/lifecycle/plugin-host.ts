import type { Logger } from "pino";
import { scrubError, scrubValue, secretValues } from "../config/redact.js";
import { TraceletError, toTraceletError } from "../errors.js";
import { failureCause } from "../failure-cause.js";
import { hookTaps, type TraceletHooks } from "../hooks.js";
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
  Timeouts,
} from "../types.js";
import { assertTransition } from "./state-machine.js";
import { DEADLINE_OF, deadlineFor } from "./timeouts.js";
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
  /** The plugin's config schema: tells which config values are secrets to scrub. */
  configSchema?: Record<string, unknown>;
  /** The plugin's child logger. */
  logger: Logger;
  /** The run's identity. */
  run: RunIdentity;
  /** The run's hooks (for `error` and `stateChange`). */
  hooks: TraceletHooks;
  /** Names of the plugins this one depends on. */
  dependsOn?: readonly string[];
  /** Failures in a row before quarantine (default {@link DEFAULT_QUARANTINE_AFTER}). */
  quarantineAfter?: number;
  /** The run's deadlines; `perPlugin[name]` overrides the deadline a caller passes. */
  timeouts?: Timeouts;
  /** The plugin is a backend that `tracelet sync` replays a spool into (its context says `replay`). */
  replay?: boolean;
}

/** Failures in a row after which a started plugin is quarantined, by default. */
export const DEFAULT_QUARANTINE_AFTER = 5;

/** The result of one isolated plugin call. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: TraceletError };

/** Options of one {@link PluginHost.call}. */
export interface CallOptions {
  /** An upper bound whatever the deadlines say (what is left of the shutdown). */
  capMs?: number;
  /**
   * Passing the deadline reports the timeout here and the call is still awaited (it is never
   * started a second time beside a slow one); without it, the deadline ends the call.
   */
  onLate?: (error: TraceletError) => void;
}

/** What changed on a host: its lifecycle state, or its config (reload, hot update, stored update). */
export type HostChange = "state" | "config";

/** Told of every {@link HostChange} of a host, after the change. */
export type HostChangeListener = (change: HostChange) => void;

function safeClone(value: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(value);
  } catch {
    return { ...value };
  }
}

/**
 * Holds one plugin inside a run (or a manager): the instance (replaced on reload or enable),
 * its validated config and the secret values in it, its lifecycle state and legal
 * transitions (each fired on the `stateChange` hook), its stats, and every call the engine
 * makes on it: each under a deadline with an abort signal, and isolated (a failure is
 * recorded, reported on the `error` hook and returned, never thrown). Secret config values are
 * scrubbed from every message it records. In-process listeners are told of every state or
 * config change (how a run reschedules a collector that was enabled, reloaded or reconfigured).
 */
export class PluginHost {
  /** Plugin name. */
  readonly name: string;
  /** Plugin type. */
  readonly type: PluginType;
  /** The plugin's child logger. */
  readonly logger: Logger;
  /** Names of the plugins this one depends on. */
  readonly dependsOn: readonly string[];
  /** The plugin's config schema, if any. */
  readonly configSchema: Record<string, unknown> | undefined;
  /** Failures in a row before quarantine. */
  readonly quarantineAfter: number;
  /** Engine-kept counters. */
  readonly stats: PluginStats = { calls: {}, failures: {}, timeMs: {}, consecutiveFailures: 0, points: 0 };
  private readonly hooks: TraceletHooks;
  private readonly run: RunIdentity;
  private readonly timeouts: Timeouts | undefined;
  private readonly replay: boolean;
  private readonly listeners = new Set<HostChangeListener>();
  private currentState: PluginState = "loaded";
  private currentInstance: PluginInstance;
  private currentConfig: Readonly<Record<string, unknown>>;
  /** Secret values of the current config, scrubbed from every message recorded. */
  private secrets: string[];
  /** Aborts the calls of the current instance (teardown at exit). */
  private teardown = new AbortController();
  private lastError: PluginErrorInfo | undefined;

  /** @param options - the plugin and its surroundings */
  constructor(options: PluginHostOptions) {
    this.name = options.name;
    this.type = options.type;
    this.logger = options.logger;
    this.hooks = options.hooks;
    this.currentInstance = options.instance;
    this.configSchema = options.configSchema;
    this.currentConfig = options.config;
    this.secrets = secretValues(options.configSchema, options.config);
    this.run = options.run;
    this.dependsOn = options.dependsOn ?? [];
    this.timeouts = options.timeouts;
    this.replay = options.replay ?? false;
    this.quarantineAfter = Math.max(1, options.quarantineAfter ?? DEFAULT_QUARANTINE_AFTER);
  }

  /** The current lifecycle state. */
  get state(): PluginState {
    return this.currentState;
  }

  /** Whether the plugin should still receive calls. */
  get active(): boolean {
    const s = this.currentState;
    return s === "started" || s === "initialized" || s === "stopping";
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
    this.safely("stateChange", () => this.hooks.stateChange.call({ plugin: this.name, type: this.type, from, to }));
    this.notify("state");
  }

  /**
   * Registers a listener told, after the fact, of every state transition and config change.
   * A throwing listener is logged and the others still run.
   *
   * @param listener - receives `"state"` or `"config"`
   * @returns a function that removes the listener
   * @example
   * ```ts
   * const off = host.onChange((change) => change === "config" && reschedule(host));
   * off();
   * ```
   */
  onChange(listener: HostChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The plugin instance (replaced by a reload). */
  get instance(): PluginInstance {
    return this.currentInstance;
  }

  /** The instance as a backend. */
  get backend(): BackendInstance {
    return this.currentInstance as BackendInstance;
  }

  /** The instance as a collector. */
  get collector(): CollectorInstance {
    return this.currentInstance as CollectorInstance;
  }

  /** Validated, frozen config. */
  get config(): Readonly<Record<string, unknown>> {
    return this.currentConfig;
  }

  set config(config: Readonly<Record<string, unknown>>) {
    this.currentConfig = config;
    this.secrets = secretValues(this.configSchema, config);
    this.notify("config");
  }

  /**
   * Puts a fresh instance in place (reload, enable). The old one must be stopped first.
   *
   * @param instance - the new instance
   */
  replaceInstance(instance: PluginInstance): void {
    this.currentInstance = instance;
    this.teardown = new AbortController();
  }

  /** Whether the plugin implements the lifecycle-aware protocol. */
  get lifecycleAware(): boolean {
    const i = this.currentInstance;
    return typeof i.forceCleanup === "function" || typeof i.getChildPids === "function";
  }

  /**
   * A context for one lifecycle call.
   *
   * @param signal - the call's abort signal
   * @returns name, logger, signal, run identity, hooks (and `replay` in `tracelet sync`)
   */
  context(signal: AbortSignal): PluginContext {
    const context = { name: this.name, logger: this.logger, signal, run: this.run, hooks: hookTaps(this.hooks) };
    return this.replay ? { ...context, replay: true } : context;
  }

  /**
   * The deadline of a hook for this plugin: its `perPlugin` override, else the run's.
   *
   * @param hook - the hook
   * @returns ms
   */
  timeoutFor(hook: HookName): number {
    return deadlineFor(this.timeouts ?? {}, this.name, hook);
  }

  /**
   * This plugin's own (`perPlugin`) deadline for a hook, if it has one.
   *
   * @param hook - the hook
   * @returns ms, or undefined when the run's deadline applies
   */
  overrideFor(hook: HookName): number | undefined {
    return this.timeouts?.perPlugin?.[this.name]?.[DEADLINE_OF[hook]];
  }

  /**
   * Aborts every running and future call of the current instance (teardown at exit).
   *
   * @param reason - the abort reason
   */
  abort(reason?: unknown): void {
    this.teardown.abort(reason);
  }

  /**
   * The plugin-call path: calls the plugin under a deadline, with an abort signal (aborted at
   * the deadline and at teardown), counting calls and time, and turning any failure into a
   * coded, recorded, secret-scrubbed error (`TRACELET_ERR_HOOK_TIMEOUT`,
   * `TRACELET_ERR_HOOK_FAILED`). A `perPlugin` deadline for this hook wins over `timeoutMs`.
   * Never throws. A quarantined plugin is not called (except `stop`).
   *
   * @param hook - which hook this call is
   * @param timeoutMs - the deadline the caller wants
   * @param fn - the call, given the call's abort signal
   * @param options - a cap on the deadline; report a late call instead of ending it
   * @returns the value, or the coded error
   */
  async call<T>(
    hook: HookName,
    timeoutMs: number,
    fn: (signal: AbortSignal) => T | Promise<T>,
    options: CallOptions = {},
  ): Promise<CallResult<T>> {
    if (this.state === "quarantined" && hook !== "stop") return { ok: false, error: this.quarantineError(hook) };
    const stats = this.stats;
    stats.calls[hook] = (stats.calls[hook] ?? 0) + 1;
    const deadline = Math.min(this.overrideFor(hook) ?? timeoutMs, options.capMs ?? Number.POSITIVE_INFINITY);
    const started = performance.now();
    try {
      const value = await withDeadline(this.name, hook, deadline, fn, {
        parent: this.teardown.signal,
        onLate: options.onLate,
      });
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
   * The status as `exp.status()` and `manager.getPluginStatus()` show it: state, a copy of the
   * engine's stats, the last error, and the plugin's own `getStatus()` scrubbed of secret
   * values (a throwing `getStatus()` is reported, not thrown).
   *
   * @returns the status
   */
  status(): PluginStatus {
    let own: Record<string, unknown> | undefined;
    try {
      own = this.currentInstance.getStatus?.();
    } catch (error) {
      own = { error: error instanceof Error ? error.message : String(error) };
    }
    const status: PluginStatus = {
      name: this.name,
      type: this.type,
      state: this.state,
      stats: structuredClone(this.stats),
    };
    if (this.lastError) status.lastError = { ...this.lastError };
    if (own) status.own = scrubValue(safeClone(own), this.secrets);
    return status;
  }

  private quarantineError(hook: HookName, cause?: TraceletError): TraceletError {
    const last = cause ? ` (last: ${cause.code} in "${hook}")` : "";
    return new TraceletError(
      "TRACELET_ERR_PLUGIN_QUARANTINED",
      `Plugin "${this.name}" is quarantined after ${this.stats.consecutiveFailures} failures in a row${last}.`,
      { cause, details: { plugin: this.name, hook, failures: this.stats.consecutiveFailures } },
    );
  }

  private notify(change: HostChange): void {
    for (const listener of [...this.listeners]) this.safely(`change:${change}`, () => listener(change));
  }

  // A throwing tap or listener must not break the engine; it is reported and the run goes on.
  private safely(hook: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.logger.error({ hook, err: error instanceof Error ? error.message : String(error) }, "a hook tap threw");
    }
  }
}
