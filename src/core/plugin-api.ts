import type { RunEnd } from "./run-end.js";
import type { MetricColumns, MetricRecord, PluginContext, PluginType } from "./types.js";

/** A value, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** How a plugin runs, for the lifecycle-aware protocol. */
export type ExecutionMode = "in-process" | "subprocess" | "external";

/**
 * Static description of a plugin: what a manifest entry holds, or what a hand-registered
 * class provides through a static `metadata` or `getMetadata()`.
 */
export interface PluginMetadata {
  /** Unique plugin id. */
  name: string;
  /** `"backend"` or `"collector"`. */
  type: PluginType;
  /** Plugin version (defaults to the package's). */
  version?: string;
  /** One-line description. */
  description?: string;
  /** Author. */
  author?: string;
  /** JSON Schema of the plugin's config. */
  configSchema?: Record<string, unknown>;
  /** Other plugins this one needs, by name, with semver ranges. */
  dependencies?: Record<string, string>;
}

/**
 * The lifecycle methods every plugin may implement, all optional; `C` is its config type. This
 * file is the one plugin contract: the base classes (`BackendPlugin`, `CollectorPlugin`)
 * implement it and the handlers of `definePlugin` are built from these same interfaces
 * (test/types/plugin-contract.test-d.ts fails when either drifts from it).
 */
export interface PluginLifecycle<C = Record<string, unknown>> {
  /** Starts the plugin's work. */
  start?(): void | Promise<void>;
  /**
   * Stops the plugin; its resources are released. `end` says how the run ended (finished,
   * interrupted by a signal, failed by an uncaught error), for a backend to record; it is
   * absent when `tracelet sync` stops a backend after a replay (the run ended long before).
   */
  stop?(end?: RunEnd): void | Promise<void>;
  /**
   * Optional: takes a new, validated config without a restart (`manager.updatePluginConfig`).
   * Without it, an update re-creates and re-initializes the plugin.
   */
  onConfigUpdate?(config: Readonly<C>): void | Promise<void>;
  /** The plugin's own view of its health. */
  getStatus?(): Record<string, unknown>;
  /** Lifecycle-aware protocol: where the plugin's work runs. */
  getExecutionMode?(): ExecutionMode;
  /** Lifecycle-aware protocol: child processes the plugin owns. */
  getChildPids?(): number[];
  /** Lifecycle-aware protocol: other resources the plugin owns. */
  getManagedResources?(): Record<string, unknown>;
  /** Lifecycle-aware protocol: synchronous last-resort cleanup at process exit. */
  forceCleanup?(): void;
}

/** The methods every plugin instance may implement, as the engine sees them. All are optional. */
export interface PluginInstance extends PluginLifecycle {
  /** Receives the validated, frozen config and the context. */
  initialize?(config: Readonly<Record<string, unknown>>, context: PluginContext): void | Promise<void>;
}

/** A backend instance as the engine sees it. */
export interface BackendInstance extends PluginInstance, BackendMethods {}

/** What a backend receives, beyond the lifecycle. */
export interface BackendMethods {
  /**
   * Receives one point: its step, and its timestamp (ms since the epoch, when `logMetric` was
   * called; Tracelet always passes both, on every path, replay included).
   */
  logMetric(name: string, value: number, step?: number, timestamp?: number): void | Promise<void>;
  /** Receives a batch of points, in logging order. */
  logMetrics?(batch: MetricRecord[]): void | Promise<void>;
  /**
   * Optional: receives a batch of points in columns, in logging order, instead of records. When
   * a backend has it, Tracelet calls it rather than `logMetrics` (and `logMetric`) on every path:
   * live batches, spool replay, `tracelet sync`; no object is made per point. The columns are
   * the backend's own copy (it may keep or overwrite them: no other backend sees it). Steps and
   * timestamps are exactly those the record path passes. As `logMetrics`, a call takes the whole
   * batch or (when it throws or rejects) none of it: Tracelet retries the same batch; deadlines,
   * stats and failures are counted under the `logMetrics` hook.
   *
   * @param columns - the points: point `i` is `columns.names[columns.ids[i]]`, `values[i]`,
   *   `steps[i]`, `times[i]`, for `i < columns.length`
   * @example
   * ```ts
   * logMetricColumns({ names, ids, values, steps, times, length }: MetricColumns) {
   *   for (let i = 0; i < length; i++) this.write(names[ids[i]], values[i], steps[i], times[i]);
   * }
   * ```
   */
  logMetricColumns?(columns: MetricColumns): void | Promise<void>;
  /** Receives run parameters (flattened). */
  logParams?(params: Record<string, unknown>): void | Promise<void>;
  /** Receives a file or directory to store with the run. */
  logArtifact?(localPath: string, artifactPath?: string): void | Promise<void>;
  /** Receives run tags. */
  setTags?(tags: Record<string, string>): void | Promise<void>;
  /** Makes everything received so far durable. */
  flush?(): void | Promise<void>;
}

/** A collector instance as the engine sees it. */
export interface CollectorInstance extends PluginInstance, CollectorMethods {}

/** What a collector does, beyond the lifecycle. */
export interface CollectorMethods {
  /** Samples once; returns metric values by name. */
  collect(): Record<string, number> | Promise<Record<string, number>>;
  /**
   * Optional: parameters describing the run (git commit, environment, machine inventory),
   * asked once right after start and logged like `exp.logParams` (failures isolated, reported
   * under the `logParams` hook).
   */
  params?(): Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Optional: return `false` when the collector has no periodic samples (it only describes the
   * run through `params()`, as the built-in `git` and `environment` do). Tracelet then never
   * schedules `collect()` for it, not even the last one at stop. Asked each time the collector
   * starts; without it (or if it throws) the collector is sampled every `intervalMs`.
   */
  hasPeriodicSamples?(): boolean;
}

/** A plugin class: constructed with no arguments, configured in `initialize`. */
export interface PluginClass<T extends PluginInstance = PluginInstance> {
  new (): T;
  /** Hand registration: static metadata. */
  metadata?: PluginMetadata;
  /** Hand registration (Tracelet's original style). */
  getMetadata?(): PluginMetadata;
}

/** The name of a method of the plugin contract (of a backend or of a collector). */
export type PluginMethod = keyof BackendInstance | keyof CollectorInstance;

/**
 * @internal Every method of the plugin contract, at run time: what `definePlugin` forwards to a
 * plugin's handlers (a type test keeps it complete).
 */
export const PLUGIN_METHODS = [
  "initialize",
  "start",
  "stop",
  "onConfigUpdate",
  "getStatus",
  "getExecutionMode",
  "getChildPids",
  "getManagedResources",
  "forceCleanup",
  "logMetric",
  "logMetrics",
  "logMetricColumns",
  "logParams",
  "logArtifact",
  "setTags",
  "flush",
  "collect",
  "params",
  "hasPeriodicSamples",
] as const satisfies readonly PluginMethod[];
