import type { MetricRecord } from "../types.js";

/** Options of {@link MetricBuffer}. */
export interface MetricBufferOptions {
  /** Points per batch before it is sent at once (default 4096). */
  batchSize?: number;
  /** Longest time a point waits in the buffer, ms (default 100). */
  flushIntervalMs?: number;
  /** Receives each batch, in logging order. */
  emit: (batch: MetricRecord[]) => void;
}

/**
 * The run's metric buffer: `push` is synchronous and does no I/O; batches leave on size or time.
 */
export class MetricBuffer {
  private pending: MetricRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly emit: (batch: MetricRecord[]) => void;

  /** @param options - batch size, interval and the receiver */
  constructor(options: MetricBufferOptions) {
    this.batchSize = options.batchSize ?? 4096;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.emit = options.emit;
  }

  /** Points waiting in the buffer. */
  get size(): number {
    return this.pending.length;
  }

  /**
   * Appends one point.
   *
   * @param record - the point
   */
  push(record: MetricRecord): void {
    this.pending.push(record);
    if (this.pending.length >= this.batchSize) this.drain();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.drain(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Sends whatever is pending now, as one batch. */
  drain(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.emit(batch);
  }

  /** Takes the pending points without sending them (used at process exit). */
  takePending(): MetricRecord[] {
    const batch = this.pending;
    this.pending = [];
    return batch;
  }
}
