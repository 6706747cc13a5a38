import type { PluginHost } from "../lifecycle/plugin-host.js";
import type { MetricRecord } from "../types.js";

/**
 * One backend's own queue: batches are delivered one at a time, in order, so a slow backend
 * never slows the caller or the other backends.
 */
export class BackendChannel {
  private readonly queue: MetricRecord[][] = [];
  private draining: Promise<void> | undefined;

  /**
   * @param host - the backend's host
   * @param timeoutMs - deadline of each delivery
   */
  constructor(
    readonly host: PluginHost,
    private readonly timeoutMs: number,
  ) {}

  /** Batches waiting for delivery. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Queues a batch; delivery starts on the next tick.
   *
   * @param batch - points in logging order
   */
  enqueue(batch: readonly MetricRecord[]): void {
    this.queue.push(batch as MetricRecord[]);
    this.draining ??= this.drain();
  }

  /** Resolves when every batch queued so far was delivered (or failed). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    await Promise.resolve();
    try {
      for (let batch = this.queue.shift(); batch; batch = this.queue.shift()) {
        if (!this.host.active) continue;
        const points = batch;
        const backend = this.host.backend;
        const result = await this.host.call("logMetrics", this.timeoutMs, async () => {
          if (backend.logMetrics) await backend.logMetrics(points);
          else for (const p of points) await backend.logMetric(p.name, p.value, p.step);
        });
        if (result.ok) this.host.stats.points += points.length;
      }
    } finally {
      this.draining = undefined;
    }
  }
}
