import { MetricChunk } from "./metric-chunk.js";

/** Options of {@link MetricBuffer}. */
export interface MetricBufferOptions {
  /** Names by id (the run's name table). */
  names: readonly string[];
  /** Points per batch (default 4096). */
  batchSize?: number;
  /** Longest time a point waits in the buffer, ms (default 100). */
  flushIntervalMs?: number;
  /**
   * Receives each sealed chunk, in logging order, its `seq` set (from 1). Called on the caller's
   * stack: it must only queue the chunk, never deliver it.
   */
  emit: (chunk: MetricChunk) => void;
}

/** Released chunks kept for reuse. */
const POOL_SIZE = 8;

/**
 * The run's metric buffer: a {@link MetricChunk} being filled. `push` writes four typed-array
 * slots and allocates nothing. A full chunk is sealed and handed on at once, as it is (nothing
 * is converted on the caller's thread, whether or not its loop ever yields); a timer seals a
 * partial chunk `flushIntervalMs` after its first point. The timer is armed only while points
 * wait (and unref'd): an idle run does not wake up. A group of points pushed together (a
 * collector sample, see {@link MetricBuffer.beginGroup}) that finds the buffer empty is sealed at
 * once instead. Chunks that every queue let go of come back through {@link MetricBuffer.recycle}.
 */
export class MetricBuffer {
  private ids: Int32Array;
  private values: Float64Array;
  private steps: Float64Array;
  private times: Float64Array;
  private n = 0;
  private readonly capacity: number;
  private readonly pool: MetricChunk[] = [];
  private current: MetricChunk;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private armed = false;
  private grouping = false;
  private closed = false;
  private readonly options: MetricBufferOptions;
  private readonly onTimer = (): void => {
    this.armed = false;
    if (this.n > 0) this.seal();
  };

  /** @param options - names, batch size, interval and the receiver */
  constructor(options: MetricBufferOptions) {
    this.options = options;
    this.capacity = Math.max(1, Math.floor(options.batchSize ?? 4096));
    this.current = new MetricChunk(this.capacity, options.names);
    this.ids = this.current.ids;
    this.values = this.current.values;
    this.steps = this.current.steps;
    this.times = this.current.times;
  }

  /** Points not yet handed on. */
  get size(): number {
    return this.n;
  }

  /** Sequence number of the last chunk handed on (0 before the first). */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Appends one point. Synchronous, no I/O, no allocation.
   *
   * @param id - the name's id in the name table
   * @param value - the value
   * @param step - the step
   * @param timestamp - ms since the epoch
   */
  push(id: number, value: number, step: number, timestamp: number): void {
    const i = this.n;
    this.ids[i] = id;
    this.values[i] = value;
    this.steps[i] = step;
    this.times[i] = timestamp;
    const n = i + 1;
    this.n = n;
    if (n === this.capacity) this.seal();
    else if (i === 0 && !this.armed && !this.grouping) this.arm();
  }

  /**
   * Opens a group of points that arrive together, such as one collector sample: until
   * {@link MetricBuffer.endGroup}, `push` arms no timer.
   *
   * @returns whether the buffer held nothing (pass it to `endGroup`)
   */
  beginGroup(): boolean {
    this.grouping = true;
    return this.n === 0;
  }

  /**
   * Closes a group. One that found the buffer empty is sealed and handed on at once: nothing is
   * waiting to share its batch, and waiting `flushIntervalMs` for company would cost a timer
   * wake-up per sample (a 1 Hz collector's whole run). One that found points waiting joins them,
   * and their timer seals it.
   *
   * @param startedEmpty - what {@link MetricBuffer.beginGroup} returned
   */
  endGroup(startedEmpty: boolean): void {
    this.grouping = false;
    if (this.n === 0) return;
    if (startedEmpty) this.seal();
    else if (!this.armed) this.arm();
  }

  /** Hands on everything buffered now. */
  drain(): void {
    if (this.n > 0) this.seal();
  }

  /** Stops the timer for good (the buffer can still be drained). */
  close(): void {
    this.closed = true;
    this.armed = false;
    clearTimeout(this.timer);
  }

  /**
   * Takes back a chunk no queue holds any more, for reuse.
   *
   * @param chunk - a chunk this buffer sealed
   */
  recycle(chunk: MetricChunk): void {
    if (chunk.refs === 0 && chunk.ids.length === this.capacity && this.pool.length < POOL_SIZE) {
      chunk.length = 0;
      chunk.seq = 0;
      this.pool.push(chunk);
    }
  }

  // One Timeout object, re-armed with refresh(): no allocation per batch.
  private arm(): void {
    if (this.closed) return;
    this.armed = true;
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(this.onTimer, this.options.flushIntervalMs ?? 100);
      this.timer.unref();
    }
  }

  private seal(): void {
    const sealed = this.current;
    sealed.length = this.n;
    sealed.seq = ++this.seq;
    this.current = this.pool.pop() ?? new MetricChunk(this.capacity, this.options.names);
    this.ids = this.current.ids;
    this.values = this.current.values;
    this.steps = this.current.steps;
    this.times = this.current.times;
    this.n = 0;
    this.options.emit(sealed);
    // No queue took it (no backend): it can be reused at once.
    if (sealed.refs === 0) this.recycle(sealed);
  }
}
