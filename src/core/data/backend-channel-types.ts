import type { Logger } from "pino";
import type { PluginHost } from "../lifecycle/plugin-host.js";
import type { RetryOptions } from "./backoff.js";
import type { MetricChunk } from "./metric-chunk.js";
import type { Spool } from "./spool.js";

/** Options of {@link BackendChannel}. */
export interface BackendChannelOptions {
  /** The backend's host. */
  host: PluginHost;
  /** The backend's spool directory. */
  spool: Spool;
  /** Deadline of each delivery, ms. */
  timeoutMs: number;
  /** Bytes of chunks held in memory before chunks spill to the spool. */
  maxQueuedBytes: number;
  /** Points held in memory before chunks spill to the spool (`Infinity`: the byte bound alone). */
  maxQueuedPoints: number;
  /** Called when the queue lets go of a chunk it held in memory. */
  release: (chunk: MetricChunk) => void;
  /** Points per delivery when replaying the spool. */
  batchSize: number;
  /** Retry delays. */
  retry: RetryOptions;
  /** Where outages and recoveries are reported. */
  logger: Logger;
}

/** What a channel reports in `status().delivery`. */
export interface ChannelStatus {
  /** Points waiting in memory. */
  queuedPoints: number;
  /** Points waiting in the spool on disk. */
  spooledPoints: number;
  /** Where the spool is (`<run dir>/spool/<backend>`, or its fallback when the run dir refused it). */
  spoolDir: string;
  /** Whether the backend is failing and being retried. */
  outage: boolean;
  /** Retries made since the run started. */
  retries: number;
}
