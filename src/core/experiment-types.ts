import type { Logger } from "pino";
import type { ChannelStatus } from "./data/backend-channel-types.js";
import type { RetryOptions } from "./data/backoff.js";
import type { TraceletHooks } from "./hooks.js";
import type { PluginHost } from "./lifecycle/plugin-host.js";
import type { PluginFailure, PluginStatus, RunIdentity, Timeouts } from "./types.js";

/** What the engine needs to run an experiment; built by `startExperiment`. */
export interface ExperimentInit {
  /** Run identity. */
  identity: RunIdentity;
  /** The run's hooks. */
  hooks: TraceletHooks;
  /** Plugins in start order (dependencies first). */
  hosts: PluginHost[];
  /** The root logger. */
  logger: Logger;
  /** Deadlines. */
  timeouts: Required<Timeouts>;
  /** Points per batch (default 4096). */
  batchSize?: number;
  /** Longest wait of a point in the buffer, ms (default 100). */
  flushIntervalMs?: number;
  /** What an invalid metric does: throw at the call site (default) or warn and count. */
  onInvalidMetric?: "throw" | "warn";
  /** Bytes of batches per backend held in memory before batches spill to the spool (default 32 MiB). */
  maxQueuedBytes?: number;
  /** Points per backend held in memory before batches spill to the spool (default: the byte bound alone). */
  maxQueuedPoints?: number;
  /** Retry delays of a failing backend, and whether failed deliveries ever quarantine it. */
  retry?: RetryOptions;
}

/** The state of a run. */
export type ExperimentState = "running" | "stopping" | "stopped";

/** What `exp.status()` returns. */
export interface ExperimentStatus {
  /** Run id. */
  id: string;
  /** Project. */
  project: string;
  /** Run name. */
  name: string;
  /** Run state. */
  state: ExperimentState;
  /** One entry per plugin. */
  plugins: PluginStatus[];
  /** Invalid metrics dropped with a warning (when `onInvalidMetric` is `"warn"`). */
  invalidMetrics: number;
  /** Each backend's queue: points in memory, points spooled on disk, outage, retries. */
  delivery: Record<string, ChannelStatus>;
}

/** What `exp.stop()` resolves to. */
export interface StopReport {
  /** Every isolated plugin failure of the run. */
  failures: PluginFailure[];
  /**
   * Points that could not be delivered before the deadline and wait in
   * `<run dir>/spool/<backend>/`, by backend; replay them with `tracelet sync <run dir>`.
   */
  spooled: Record<string, number>;
  /**
   * Of {@link StopReport.spooled}, the points of a delivery call that was still running when the
   * deadline passed, by backend: should that call succeed late, they leave the spool (so nothing
   * is sent twice) and `tracelet sync` replays that many fewer. Empty when no call was running.
   */
  inFlight: Record<string, number>;
  /**
   * Where each backend of {@link StopReport.spooled} has its spool: `<run dir>/spool/<backend>`,
   * or, when the run directory refused writes, a directory under the OS temporary directory.
   */
  spoolDirs: Record<string, string>;
  /** The `tracelet sync` command lines that deliver what was spooled (none when nothing was). */
  sync: string[];
}

/** Options of one `logMetric` call. */
export interface LogMetricOptions {
  /** Timestamp in ms since the epoch (default now). */
  timestamp?: number;
}
