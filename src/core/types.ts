import type { Logger } from "pino";
import type { TraceletHooks } from "./hooks.js";

/** The two kinds of plugin. */
export type PluginType = "backend" | "collector";

/**
 * One metric point, as backends receive it.
 *
 * @example
 * ```ts
 * const point: MetricRecord = { name: "loss", value: 0.42, step: 1, timestamp: Date.now() };
 * ```
 */
export interface MetricRecord {
  /** Metric name, e.g. `"loss"` or `"system/cpu_utilization_percentage"`. */
  name: string;
  /** The value; `NaN` and `±Infinity` are kept and encoded explicitly by backends. */
  value: number;
  /** The step (explicit, or the per-metric counter). */
  step: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** Who this run is: the same for every plugin of the run. */
export interface RunIdentity {
  /** Project name. */
  project: string;
  /** Human name of the run. */
  name: string;
  /** Run id, sortable by start time. */
  runId: string;
  /** Role of this process in a distributed run (e.g. `"main"`, `"worker"`). */
  role: string;
  /** Worker index in a distributed run (0 when alone). */
  workerId: number;
  /** Number of workers in a distributed run (1 when alone). */
  workerCount: number;
  /** Free-form tags. */
  tags: Readonly<Record<string, string>>;
  /** Directory of this run: `<dir>/<project>/<runId>`. */
  runDir: string;
}

/** What a plugin receives with `initialize(config, context)`. */
export interface PluginContext {
  /** The plugin's own name. */
  readonly name: string;
  /** A pino child logger bound to `{ plugin: name }`, with secrets redacted. */
  readonly logger: Logger;
  /** Aborted when the current lifecycle call passes its deadline or the run is torn down. */
  readonly signal: AbortSignal;
  /** The run's identity. */
  readonly run: RunIdentity;
  /**
   * The run's hooks: tap them under the plugin's own name (`hooks.metrics.tap(name, fn)`). A tap
   * that throws is reported and skipped. (Optional only so that hand-made contexts in tests
   * and tools stay valid; the engine always sets it.)
   */
  readonly hooks?: TraceletHooks;
}

/** A plugin's lifecycle state. */
export type PluginState =
  | "available"
  | "loaded"
  | "initialized"
  | "started"
  | "stopping"
  | "stopped"
  | "failed"
  | "disabled"
  | "quarantined";

/** The lifecycle and data calls the engine makes on a plugin. */
export type HookName =
  | "load"
  | "initialize"
  | "start"
  | "collect"
  | "logMetrics"
  | "logParams"
  | "logArtifact"
  | "setTags"
  | "flush"
  | "stop"
  | "configUpdate";

/** Counters kept by the engine for one plugin. */
export interface PluginStats {
  /** Calls made, per hook. */
  calls: Partial<Record<HookName, number>>;
  /** Calls that failed (threw, rejected or timed out), per hook. */
  failures: Partial<Record<HookName, number>>;
  /** Time spent in each hook, in milliseconds. */
  timeMs: Partial<Record<HookName, number>>;
  /** Failures in a row of the current streak (reset by a success). */
  consecutiveFailures: number;
  /** Metric points delivered (backends) or produced (collectors). */
  points: number;
}

/** The last error of a plugin, as shown by `status()`. */
export interface PluginErrorInfo {
  /** The error code. */
  code: string;
  /** The hook that failed. */
  hook: HookName;
  /** The message (secrets never included). */
  message: string;
}

/** One plugin's status as `exp.status()` shows it. */
export interface PluginStatus {
  /** Plugin name. */
  name: string;
  /** Plugin type. */
  type: PluginType;
  /** Lifecycle state. */
  state: PluginState;
  /** Engine-kept counters. */
  stats: PluginStats;
  /** The last error, if any. */
  lastError?: PluginErrorInfo;
  /** What the plugin's own `getStatus()` returned (secrets redacted). */
  own?: Record<string, unknown>;
}

/** One isolated failure, as `stop()` reports it. */
export interface PluginFailure {
  /** Plugin name. */
  plugin: string;
  /** The hook that failed. */
  hook: HookName;
  /** The error code. */
  code: string;
  /** The message. */
  message: string;
}

/** Per-plugin deadlines in milliseconds. */
export interface Timeouts {
  /** Deadline of `initialize` (default 10 000). */
  initialize?: number;
  /** Deadline of `start` (default 10 000). */
  start?: number;
  /** Deadline of one `collect` (default: the collector's interval, at most 10 000). */
  collect?: number;
  /** Deadline of `flush` and of each batch delivery (default 10 000). */
  flush?: number;
  /** Deadline of `stop` (default 10 000). */
  stop?: number;
  /** Deadline of the whole shutdown of a run (default 30 000). */
  shutdown?: number;
  /**
   * Deadlines for one plugin, by plugin name, overriding the global ones hook by hook, e.g.
   * `{ start: 5000, perPlugin: { slow: { start: 60000 } } }`. (`shutdown` is per run only.)
   */
  perPlugin?: Record<string, PluginTimeouts>;
}

/** The deadlines one plugin may override (ms). `flush` also bounds each data delivery. */
export type PluginTimeouts = Pick<Timeouts, "initialize" | "start" | "collect" | "flush" | "stop">;
