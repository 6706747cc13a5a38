import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { secretPaths } from "../config/secret-paths.js";
import type { TraceletHooks } from "../hooks.js";
import type { PluginHost } from "../lifecycle/plugin-host.js";
import type { RunIdentity, Timeouts } from "../types.js";
import { BackendChannel } from "./backend-channel.js";
import type { ChannelStatus } from "./backend-channel-types.js";
import type { RetryOptions } from "./backoff.js";
import { CoarseClock } from "./coarse-clock.js";
import { MetricBuffer } from "./metric-buffer.js";
import type { MetricChunk } from "./metric-chunk.js";
import { NameTable } from "./name-table.js";
import { Spool } from "./spool.js";

/** Options of {@link MetricPipeline}. */
export interface MetricPipelineOptions {
  /** The run's hooks (`metrics` shows each batch to its observers, read-only). */
  hooks: TraceletHooks;
  /** The run's identity (the spool lives in `<runDir>/spool/`). */
  identity: RunIdentity;
  /** Where problems are reported. */
  logger: Logger;
  /** Points per batch (default 4096). */
  batchSize?: number;
  /** Longest wait of a point in the buffer, ms (default 100). */
  flushIntervalMs?: number;
  /** Bytes of chunks per backend held in memory before chunks spill to disk (default 32 MiB). */
  maxQueuedBytes?: number;
  /** Points per backend held in memory before chunks spill to disk (default: the byte bound alone). */
  maxQueuedPoints?: number;
  /** Retry delays of a failing backend. */
  retry?: RetryOptions;
  /** The run's deadlines: each delivery is bounded by the plugin's `flush` deadline. */
  timeouts: Required<Timeouts>;
}

/**
 * Where a run's spools go when its run directory refuses writes: a directory laid out like a run
 * directory under the OS temporary directory, so `tracelet sync <it>` replays it.
 *
 * @param identity - the run
 * @returns `<tmp>/tracelet-spool/<project>/<run id>`
 */
export function spoolFallbackRoot(identity: RunIdentity): string {
  return join(tmpdir(), "tracelet-spool", encodeURIComponent(identity.project), encodeURIComponent(identity.runId));
}

/** Default bound of the chunks a backend's queue holds in memory. */
export const DEFAULT_MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/**
 * The run's data path: name table, clock and columnar buffer on the caller's side; one
 * {@link BackendChannel} (queue, spool, retries) per backend on the other, each sealed chunk
 * handed to every channel directly (shared, not copied). The public `metrics` hook only shows
 * batches to observers: nothing a tap does reaches a backend.
 */
export class MetricPipeline {
  /** Interned names and per-metric step counters. */
  readonly names = new NameTable();
  /** The hot path's clock. */
  readonly clock = new CoarseClock();
  /** The columnar buffer. */
  readonly buffer: MetricBuffer;
  private readonly channels: BackendChannel[] = [];
  private warnedInactive = false;

  /** @param options - hooks, identity, sizes and delays */
  constructor(private readonly options: MetricPipelineOptions) {
    this.buffer = new MetricBuffer({
      names: this.names.names,
      batchSize: options.batchSize,
      flushIntervalMs: options.flushIntervalMs,
      emit: (chunk) => this.emit(chunk),
    });
  }

  /**
   * Gives a backend its own channel. A backend that is not active (it failed to initialize or start) gets one too: its points go to its spool,
   * from which `tracelet sync` delivers them once it works.
   *
   * @param host - the backend's host
   */
  attach(host: PluginHost): void {
    const { identity, logger } = this.options;
    const dir = join("spool", encodeURIComponent(host.name));
    const spool = new Spool(
      join(identity.runDir, dir),
      {
        plugin: host.name,
        config: { ...host.config },
        secretPaths: secretPaths(host.configSchema),
        run: identity,
      },
      undefined,
      logger,
      join(spoolFallbackRoot(identity), dir),
    );
    const channel = new BackendChannel({
      host,
      spool,
      logger,
      timeoutMs: this.options.timeouts.perPlugin?.[host.name]?.flush ?? this.options.timeouts.flush,
      maxQueuedBytes: this.options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
      maxQueuedPoints: this.options.maxQueuedPoints ?? Number.POSITIVE_INFINITY,
      batchSize: this.options.batchSize ?? 4096,
      retry: this.options.retry ?? {},
      release: (chunk) => this.buffer.recycle(chunk),
    });
    this.channels.push(channel);
    host.onChange((change) => {
      if (change === "state" && host.active) channel.resume();
    });
  }

  /**
   * Hands on everything buffered and waits until each backend has it (or parked it on disk),
   * at most `deadlineMs`.
   *
   * @param deadlineMs - the longest wait
   * @returns the sequence number of the last batch waited for
   */
  async settle(deadlineMs: number): Promise<number> {
    this.buffer.drain();
    const seq = this.buffer.lastSeq;
    for (const c of this.channels) c.hurry();
    await Promise.all(this.channels.map((c) => c.settle(seq, deadlineMs)));
    return seq;
  }

  /**
   * Final delivery at stop: settles, then halts every channel (what is left goes to the spool).
   *
   * @param deadlineMs - the longest wait
   * @returns points left in spools, by backend (only backends with some), and among them those of
   *   a delivery call still running, which leave the spool if it succeeds late
   */
  async close(deadlineMs: number): Promise<{ spooled: Record<string, number>; inFlight: Record<string, number> }> {
    const began = performance.now();
    this.buffer.close();
    await this.settle(deadlineMs);
    this.haltAll();
    // A delivery still in flight may yet succeed (then its batch leaves the spool again); the
    // backend's stop() must not come before it settles, within what is left of the deadline.
    const left = Math.max(0, deadlineMs - (performance.now() - began));
    await Promise.all(this.channels.map((c) => c.idle(left)));
    const spooled = this.haltAll();
    const inFlight: Record<string, number> = {};
    for (const c of this.channels) if (c.pendingLate > 0) inFlight[c.host.name] = c.pendingLate;
    return { spooled, inFlight };
  }

  /**
   * At process exit without `stop()`: writes every pending point to the spools, synchronously.
   *
   * @returns points left in spools, by backend
   */
  emergencyExit(): Record<string, number> {
    this.buffer.close();
    this.buffer.drain();
    return this.haltAll();
  }

  /** Each backend's queue and spool. */
  status(): Record<string, ChannelStatus> {
    return Object.fromEntries(this.channels.map((c) => [c.host.name, c.status()]));
  }

  private haltAll(): Record<string, number> {
    const left: Record<string, number> = {};
    for (const c of this.channels) {
      const n = c.halt();
      if (n > 0) left[c.host.name] = n;
    }
    return left;
  }

  private emit(chunk: MetricChunk): void {
    if (!this.warnedInactive && !this.channels.some((c) => c.host.active)) {
      // Once per run: the points are only in the spools now (if any backend has one).
      this.warnedInactive = true;
      this.options.logger.error(
        { runDir: this.options.identity.runDir },
        'no backend is active: metrics go only to the spool; run "tracelet sync" once a backend works',
      );
    }
    for (const channel of this.channels) channel.enqueue(chunk);
    const observed = this.options.hooks.metrics;
    if (observed.taps.length > 0) {
      // Observers get their own frozen copy: a tap can neither change nor empty what backends get.
      const batch = chunk.toRecords();
      for (const p of batch) Object.freeze(p);
      try {
        observed.call(Object.freeze(batch));
      } catch (error) {
        this.options.logger.error({ err: error }, "a metrics hook tap threw");
      }
    }
  }
}
