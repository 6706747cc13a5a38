import type { Logger } from "pino";
import { deliverOneByOne } from "../../core/data/deliver-batch.js";
import type { BackendInstance, CollectorInstance, ExecutionMode, PluginInstance } from "../../core/plugin-api.js";
import type { RunEnd } from "../../core/run-end.js";
import type { MetricColumns, MetricRecord, PluginContext } from "../../core/types.js";

/**
 * The base of every plugin class (implementing the plugin contract of `PluginInstance`): keeps the validated config and the context given to
 * `initialize`, and exposes the plugin's logger.
 *
 * @typeParam C - the plugin's config type
 */
export abstract class PluginBase<C extends object = Record<string, unknown>> implements PluginInstance {
  #config: Readonly<C> | undefined;
  #context: PluginContext | undefined;

  /** The validated, frozen config (available from `initialize` on). */
  get config(): Readonly<C> {
    return this.#config ?? ({} as Readonly<C>);
  }

  /** The context given to `initialize`. */
  get context(): PluginContext {
    if (!this.#context) throw new Error("The plugin's context is available from initialize() on.");
    return this.#context;
  }

  /** The plugin's child logger. */
  get logger(): Logger {
    return this.context.logger;
  }

  /**
   * Receives the validated config and the context. Subclasses that override it call `super`.
   *
   * @param config - validated, defaulted, frozen config
   * @param context - logger, abort signal, run identity
   */
  initialize(config: Readonly<C>, context: PluginContext): void | Promise<void> {
    this.#config = config;
    this.#context = context;
  }

  /** Starts the plugin's work. */
  start(): void | Promise<void> {}

  /**
   * Stops the plugin.
   *
   * @param _end - how the run ended (absent when `tracelet sync` stops a backend after a replay)
   */
  stop(_end?: RunEnd): void | Promise<void> {}

  /** The plugin's own status. */
  getStatus(): Record<string, unknown> {
    return {};
  }

  /** Where the plugin's work runs (lifecycle-aware protocol). */
  getExecutionMode(): ExecutionMode {
    return "in-process";
  }

  /**
   * Optional: takes a new, validated config without a restart (`manager.updatePluginConfig`).
   * Without it, an update re-creates and re-initializes the plugin.
   *
   * @param config - the new config
   */
  onConfigUpdate?(config: Readonly<C>): void | Promise<void>;

  /**
   * Optional (lifecycle-aware protocol): the child processes the plugin owns.
   *
   * @returns their pids
   */
  getChildPids?(): number[];

  /**
   * Optional (lifecycle-aware protocol): other resources the plugin owns, for status output.
   *
   * @returns a description of them
   */
  getManagedResources?(): Record<string, unknown>;

  /** Optional (lifecycle-aware protocol): synchronous last-resort cleanup at process exit. */
  forceCleanup?(): void;
}

/**
 * A backend receives metrics, params and artifacts.
 *
 * @typeParam C - the plugin's config type
 * @example
 * ```ts
 * export class PrintBackend extends BackendPlugin<{ prefix: string }> {
 *   logMetric(name: string, value: number, step?: number) { this.logger.info({ name, value, step }); }
 * }
 * ```
 */
export abstract class BackendPlugin<C extends object = Record<string, unknown>>
  extends PluginBase<C>
  implements BackendInstance
{
  /**
   * Receives one point (from the default {@link BackendPlugin.logMetrics}, one call per point).
   *
   * @param name - metric name
   * @param value - value
   * @param step - step (always passed by Tracelet)
   * @param timestamp - when it was logged, ms since the epoch (always passed by Tracelet)
   */
  abstract logMetric(name: string, value: number, step?: number, timestamp?: number): void | Promise<void>;

  /**
   * Receives a batch in logging order; the default loops over {@link BackendPlugin.logMetric}.
   *
   * @param batch - the points
   */
  logMetrics(batch: MetricRecord[]): void | Promise<void> {
    return deliverOneByOne(this, batch);
  }

  /**
   * Optional columnar fast path: declare it to receive batches as columns (no object per point)
   * instead of `logMetrics`, on every path (live, spool replay,
   * `tracelet sync`). The columns are this backend's own copy. Not implemented by default.
   *
   * @example
   * ```ts
   * override logMetricColumns({ names, ids, values, steps, times, length }: MetricColumns) {
   *   let text = "";
   *   for (let i = 0; i < length; i++) text += `${names[ids[i]]},${values[i]},${steps[i]},${times[i]}\n`;
   *   this.write(text); // the whole batch, or throw and get the same batch again
   * }
   * ```
   * @param columns - the points, in logging order
   */
  logMetricColumns?(columns: MetricColumns): void | Promise<void>;

  /**
   * Receives run parameters (flattened to dotted keys).
   *
   * @param _params - parameters
   */
  logParams(_params: Record<string, unknown>): void | Promise<void> {}

  /**
   * Receives an artifact.
   *
   * @param _localPath - absolute path of the file
   * @param _artifactPath - where it goes in the run
   */
  logArtifact(_localPath: string, _artifactPath?: string): void | Promise<void> {}

  /**
   * Receives the run's tags (those it started with, merged with every `exp.setTags`).
   *
   * @param _tags - tags
   */
  setTags(_tags: Record<string, string>): void | Promise<void> {}

  /** Makes everything received so far durable. */
  flush(): void | Promise<void> {}
}

/**
 * A collector samples something on an interval. Tracelet schedules it (config `intervalMs`).
 *
 * @typeParam C - the plugin's config type
 * @example
 * ```ts
 * export class UptimeCollector extends CollectorPlugin {
 *   collect() { return { "process/uptime_seconds": process.uptime() }; }
 * }
 * ```
 */
export abstract class CollectorPlugin<C extends object = Record<string, unknown>>
  extends PluginBase<C>
  implements CollectorInstance
{
  /** Samples once; returns values by metric name. */
  abstract collect(): Record<string, number> | Promise<Record<string, number>>;

  /**
   * Optional: parameters to log once, right after the run started (e.g. an inventory of the
   * machine, or the git commit). Called under the `start` deadline; a failure is isolated.
   *
   * @returns parameters (flattened like `logParams`)
   */
  params?(): Record<string, unknown> | Promise<Record<string, unknown>>;

  /**
   * Optional: return `false` when the collector has no periodic samples (it only describes the
   * run through `params()`); Tracelet then never schedules `collect()` for it.
   *
   * @returns whether to sample it every `intervalMs`
   */
  hasPeriodicSamples?(): boolean;
}
