import type { Logger } from "pino";
import { toTraceletError } from "../errors.js";
import type { PluginHost } from "../lifecycle/plugin-host.js";
import { withDeadline } from "../lifecycle/with-deadline.js";
import type { MetricRecord } from "../types.js";
import { backoffDelay, type RetryOptions } from "./backoff.js";
import { ChannelQueue } from "./channel-queue.js";
import type { Spool } from "./spool.js";

/** Options of {@link BackendChannel}. */
export interface BackendChannelOptions {
  /** The backend's host. */
  host: PluginHost;
  /** The backend's spool directory. */
  spool: Spool;
  /** Deadline of each delivery, ms. */
  timeoutMs: number;
  /** Points held in memory before batches spill to the spool. */
  maxQueuedPoints: number;
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
  /** Whether the backend is failing and being retried. */
  outage: boolean;
  /** Retries made since the run started. */
  retries: number;
}

/**
 * One backend's own queue. Batches are delivered one at a time, in order, so a slow backend
 * never slows the caller or the others. Past `maxQueuedPoints`, or while the backend fails,
 * batches go to the spool on disk instead of memory; failed deliveries are retried with
 * exponential backoff and jitter; on recovery the spool is replayed in order before newer
 * batches, which queue behind it on disk.
 */
export class BackendChannel {
  private readonly queue: ChannelQueue;
  private delivered = 0;
  private pumping = false;
  private halted = false;
  private outage = false;
  private attempt = 0;
  private retries = 0;
  private wake: (() => void) | undefined;
  private waiters: Array<{ seq: number; resolve: () => void }> = [];

  /** @param options - the backend, its spool, bounds and retry delays */
  constructor(private readonly options: BackendChannelOptions) {
    this.queue = new ChannelQueue(options.spool, options.logger, options.host.name);
  }

  /** The backend's host. */
  get host(): PluginHost {
    return this.options.host;
  }

  /** Queue and spool sizes, and whether the backend is in an outage. */
  status(): ChannelStatus {
    return {
      queuedPoints: this.queue.memPoints,
      spooledPoints: this.queue.diskPoints,
      outage: this.outage,
      retries: this.retries,
    };
  }

  /**
   * Queues a batch (in memory, or on disk past the bound or during an outage).
   *
   * @param batch - points in logging order
   * @param seq - the batch's sequence number
   */
  enqueue(batch: MetricRecord[], seq: number): void {
    const toDisk =
      this.halted ||
      this.outage ||
      !this.host.active ||
      this.queue.memPoints + batch.length > this.options.maxQueuedPoints;
    this.queue.push(batch, seq, toDisk);
    this.kick();
  }

  /**
   * Resolves when every batch up to `seq` was delivered, or parked on disk because the backend
   * is no longer active, or when `deadlineMs` passes.
   *
   * @param seq - the last batch to wait for
   * @param deadlineMs - the longest wait
   * @returns whether everything up to `seq` was delivered or parked in time
   */
  async settle(seq: number, deadlineMs: number): Promise<boolean> {
    if (this.isSettled(seq)) return true;
    let timer: NodeJS.Timeout | undefined;
    const reached = new Promise<boolean>((resolve) => this.waiters.push({ seq, resolve: () => resolve(true) }));
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), deadlineMs);
    });
    try {
      return await Promise.race([reached, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops delivering: whatever is still in memory goes to the spool, open segments are closed.
   * Synchronous, so it also serves at process exit.
   *
   * @returns points left in the spool for `tracelet sync`
   */
  halt(): number {
    this.halted = true;
    this.wake?.();
    this.queue.spillMemory();
    this.queue.sealAll();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
    return this.queue.diskPoints;
  }

  private isSettled(seq: number): boolean {
    return this.delivered >= seq || this.queue.length === 0 || !this.host.active;
  }

  private kick(): void {
    if (this.pumping || this.halted) return;
    this.pumping = true;
    void this.pump()
      .catch((error: unknown) => {
        this.options.logger.error(
          { plugin: this.host.name, err: error },
          "metric delivery stopped; the spool keeps the rest",
        );
      })
      .finally(() => {
        this.pumping = false;
        this.release();
      });
  }

  private release(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    const ready: Array<() => void> = [];
    for (const w of this.waiters) {
      if (this.isSettled(w.seq)) ready.push(w.resolve);
      else still.push(w);
    }
    this.waiters = still;
    for (const resolve of ready) resolve();
  }

  private async pump(): Promise<void> {
    await Promise.resolve();
    while (this.queue.length > 0 && !this.halted) {
      if (!this.host.active) {
        // Quarantined or failed: keep everything on disk for `tracelet sync`.
        this.queue.spillMemory();
        return;
      }
      const entry = this.queue.head();
      const batch = await this.queue.next(this.options.batchSize);
      if (!entry || !batch) return;
      if (batch.length > 0 && !(await this.deliver(batch))) {
        if (!this.halted) await this.backoff();
        continue;
      }
      if (this.halted) return;
      const done = await this.queue.advance(entry, batch.length);
      if (done !== undefined) this.delivered = done;
      this.release();
    }
  }

  private async deliver(batch: MetricRecord[]): Promise<boolean> {
    const { host, timeoutMs, logger } = this.options;
    const stats = host.stats;
    const backend = host.backend;
    stats.calls.logMetrics = (stats.calls.logMetrics ?? 0) + 1;
    const started = performance.now();
    try {
      await withDeadline(host.name, "logMetrics", host.overrideFor("logMetrics") ?? timeoutMs, async () => {
        if (backend.logMetrics) await backend.logMetrics(batch);
        else for (const p of batch) await backend.logMetric(p.name, p.value, p.step);
      });
      stats.points += batch.length;
      stats.consecutiveFailures = 0;
      if (this.outage) logger.info({ plugin: host.name, retries: this.attempt }, "backend recovered; replaying");
      this.outage = false;
      this.attempt = 0;
      return true;
    } catch (thrown) {
      if (!this.outage) {
        const error = toTraceletError(
          "TRACELET_ERR_HOOK_FAILED",
          `Plugin "${host.name}" failed in "logMetrics"`,
          thrown,
          {
            plugin: host.name,
            hook: "logMetrics",
          },
        );
        this.outage = true;
        // One reported failure per outage: retries must not push a backend into quarantine.
        host.recordFailure("logMetrics", error);
        this.queue.spillMemory();
      } else stats.failures.logMetrics = (stats.failures.logMetrics ?? 0) + 1;
      return false;
    } finally {
      stats.timeMs.logMetrics = (stats.timeMs.logMetrics ?? 0) + (performance.now() - started);
    }
  }

  private backoff(): Promise<void> {
    const delay = backoffDelay(this.attempt++, this.options.retry);
    this.retries++;
    return new Promise((resolve) => {
      const timer = setTimeout(done, delay);
      timer.unref();
      this.wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
