import type { PluginHost } from "../lifecycle/plugin-host.js";
import { within } from "../util/within.js";
import type { BackendChannelOptions, ChannelStatus } from "./backend-channel-types.js";
import { ChannelQueue, type QueueEntry } from "./channel-queue.js";
import { type PointBatch, wantsColumns } from "./deliver-batch.js";
import { deliverOnce } from "./delivery-attempt.js";
import type { MetricChunk } from "./metric-chunk.js";
import { Outage } from "./outage.js";
import { SeqWaiters } from "./seq-waiters.js";

/** Longest stretch of delivery, in ms, between two turns of the event loop. */
const TURN_EVERY_MS = 5;

/**
 * One backend's own queue. Batches are delivered one at a time, in order, on event-loop turns,
 * so a slow backend never slows the caller or the others; a call that passes its deadline is
 * waited for (the deadline only starts the outage), so no batch is ever sent twice. Past
 * `maxQueuedBytes` of chunks in memory (a loop that never yields, a slow backend), or while the
 * backend fails, chunks go to the binary spool on disk instead; failed deliveries are retried
 * with capped exponential backoff and jitter for as long as the run lasts; on recovery the spool
 * is replayed in order before newer batches, which queue behind it on disk.
 */
export class BackendChannel {
  private readonly queue: ChannelQueue;
  private delivered = 0;
  private pumping = false;
  private halted = false;
  private readonly outage: Outage;
  private readonly waiters = new SeqWaiters();
  // The last reason delivery stopped, already logged (cleared by the next delivery).
  private stalled: string | undefined;
  // The one delivery call in flight: the next attempt never starts before it settles.
  private inFlight: { entry: QueueEntry; count: number; done: Promise<boolean> } | undefined;

  /** @param options - the backend, its spool, bounds and retry delays */
  constructor(private readonly options: BackendChannelOptions) {
    this.queue = new ChannelQueue(options.spool, options.logger, options.host.name, options.release);
    this.outage = new Outage(options.host, options.retry, options.logger);
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
      spoolDir: this.options.spool.dir,
      outage: this.outage.active,
      retries: this.outage.retries,
    };
  }

  /**
   * Queues a chunk (in memory, or on disk past the bound or during an outage).
   *
   * @param chunk - a sealed chunk, shared with the other backends' queues
   */
  enqueue(chunk: MetricChunk): void {
    const queue = this.queue;
    const toDisk =
      this.halted ||
      this.outage.active ||
      !this.host.active ||
      queue.memBytes + chunk.bytes > this.options.maxQueuedBytes ||
      queue.memPoints + chunk.length > this.options.maxQueuedPoints;
    queue.push(chunk, toDisk);
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
    return this.waiters.wait(seq, deadlineMs);
  }

  /**
   * Retries now a backend waiting out its backoff (`flush()` and `stop()` want everything
   * delivered: a backend that answers again must not wait for a retry scheduled up to
   * `retry.maxDelayMs` later).
   */
  hurry(): void {
    if (this.outage.active) this.outage.interrupt();
  }

  /**
   * Resolves when the delivery call in flight (if any) has settled, or when `deadlineMs` passes.
   *
   * @param deadlineMs - the longest wait
   */
  async idle(deadlineMs: number): Promise<void> {
    const call = this.inFlight?.done;
    if (call) await within(call, deadlineMs, { keepAlive: true });
  }

  /**
   * Stops delivering: whatever is still in memory goes to the spool, open segments are closed.
   * Synchronous, so it also serves at process exit.
   *
   * @returns points left in the spool for `tracelet sync`
   */
  halt(): number {
    if (!this.halted) {
      this.halted = true;
      this.outage.interrupt();
      // The batch in flight goes to the spool too (its call may never return); should the call
      // succeed later, it is removed from there again (see deliver), so nothing is sent twice.
      const flying = this.inFlight;
      if (flying) {
        const parked = this.queue.parkHead();
        if (parked) flying.entry = parked;
      }
      this.queue.spillMemory();
      this.queue.trimHead();
      this.queue.sealAll();
    }
    this.waiters.releaseAll();
    return this.queue.diskPoints;
  }

  /**
   * Points of the delivery call still running after the channel halted: parked in the spool, and
   * taken out of it again if that call succeeds late (0 when no call is in flight).
   */
  get pendingLate(): number {
    return this.halted ? (this.inFlight?.count ?? 0) : 0;
  }

  /**
   * Delivers what waited while the backend was not active (disabled, failed): called when it
   * becomes active again, so that a `flush()` right after does not wait for a new batch.
   */
  resume(): void {
    this.kick();
  }

  private isSettled(seq: number): boolean {
    return this.delivered >= seq || this.queue.length === 0 || !this.host.active;
  }

  private kick(): void {
    if (this.pumping || this.halted) return;
    this.pumping = true;
    void this.pump()
      .catch((error: unknown) => {
        // Every new batch tries again; the same failure is reported once, not once a batch.
        const why = error instanceof Error ? error.message : String(error);
        if (why === this.stalled) return;
        this.stalled = why;
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
    this.waiters.release((seq) => this.isSettled(seq));
  }

  private async pump(): Promise<void> {
    await Promise.resolve();
    let turn = performance.now();
    while (this.queue.length > 0 && !this.halted) {
      // A backlog (what a loop that never yields leaves behind) is otherwise delivered in one
      // chain of microtasks: a turn of the event loop every few ms lets timers and I/O callbacks
      // run meanwhile (the process's own, and the backends': a thread-pool fdatasync's, say).
      if (performance.now() - turn > TURN_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        turn = performance.now();
        if (this.halted) return;
      }
      if (!this.host.active) {
        // Quarantined or failed: keep everything on disk for `tracelet sync`.
        this.queue.spillMemory();
        return;
      }
      const entry = this.queue.head();
      const batch = await this.queue.next(this.options.batchSize, wantsColumns(this.host.backend));
      if (!entry || !batch || this.halted) return;
      if (batch.length > 0 && !(await this.deliver(entry, batch))) {
        if (!this.halted && this.host.active) await this.outage.backoff();
        continue;
      }
      if (this.halted) return;
      const done = await this.queue.advance(entry, batch.length);
      if (done !== undefined) this.delivered = done;
      this.stalled = undefined;
      this.release();
    }
  }

  // One attempt. The deadline does not abandon the call: it only starts the outage (failure
  // reported, newer batches spooled), and the attempt ends when the call itself settles.
  private async deliver(entry: QueueEntry, batch: PointBatch): Promise<boolean> {
    const { host, timeoutMs } = this.options;
    const done = deliverOnce(host, batch, host.overrideFor("logMetrics") ?? timeoutMs, (thrown, running) => {
      this.outage.fail(thrown);
      // While the call still runs its batch stays at the head; newer batches go to disk.
      if (!this.halted) this.queue.spillMemory(running);
    });
    const flying = { entry, count: batch.length, done };
    this.inFlight = flying;
    const ok = await done;
    this.inFlight = undefined;
    if (!ok) return false;
    const stats = host.stats;
    stats.points += batch.length;
    if (this.halted) {
      // Delivered after the channel halted: the batch was parked in the spool; take it out.
      this.queue.commitLate(flying.entry, flying.count);
      return true;
    }
    this.outage.recovered();
    return true;
  }
}
