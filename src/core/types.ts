import type { Logger } from "pino";
import type { FailureCause } from "./failure-cause.js";
import type { HookTaps } from "./hooks.js";
import type { HookName, PluginState, PluginType, RunIdentity } from "./primitives.js";

export type { HookName, MetricColumns, MetricRecord, PluginState, PluginType, RunIdentity } from "./primitives.js";

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
  readonly hooks?: HookTaps;
  /**
   * True when `tracelet sync` replays a spool into the backend: the run ended long ago, so a
   * backend does not record a new status or start time for it (an interrupted run stays interrupted).
   */
  readonly replay?: boolean;
}

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
  /** What the plugin threw: its message and stack (secrets never included). */
  cause?: FailureCause;
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
  /** What the plugin threw: its message and stack (secrets never included). */
  cause?: FailureCause;
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
