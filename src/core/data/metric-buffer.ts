import type { MetricRecord } from "../types.js";

/** Options of {@link MetricBuffer}. */
export interface MetricBufferOptions {
  /** Names by id (the run's name table). */
  names: readonly string[];
  /** Points per batch (default 4096). */
  batchSize?: number;
  /** Longest time a point waits in the buffer, ms (default 100). */
  flushIntervalMs?: number;
  /** Sealed batches held before they are materialised on the call path (default 16). */
  maxSealed?: number;
  /** Receives each batch, in logging order, with its sequence number (from 1). */
  emit: (batch: MetricRecord[], seq: number) => void;
}

const SMALL = 2 ** 30;

/** One batch in columns. */
interface Chunk {
  ids: Int32Array;
  values: Float64Array;
  steps: Float64Array;
  times: Float64Array;
  length: number;
}

function newChunk(capacity: number): Chunk {
  return {
    ids: new Int32Array(capacity),
    values: new Float64Array(capacity),
    steps: new Float64Array(capacity),
    times: new Float64Array(capacity),
    length: 0,
  };
}

/**
 * The run's metric buffer: columns of name ids, values, steps and timestamps. `push` writes
 * four typed-array slots and allocates nothing. A full column set is sealed; sealed batches are
 * turned into `MetricRecord` arrays on the next event-loop turn (or at once when a loop that
 * never yields has sealed `maxSealed` of them, which bounds memory), and a timer seals a
 * partial batch `flushIntervalMs` after its first point. The timer is armed only while points
 * wait (and unref'd): an idle run does not wake up.
 */
export class MetricBuffer {
  private ids: Int32Array;
  private values: Float64Array;
  private steps: Float64Array;
  private times: Float64Array;
  private n = 0;
  private readonly capacity: number;
  private readonly sealed: Chunk[] = [];
  private readonly pool: Chunk[] = [];
  private current: Chunk;
  private scheduled = false;
  private seq = 0;
  private readonly maxSealed: number;
  private timer: NodeJS.Timeout | undefined;
  private armed = false;
  private closed = false;
  private readonly options: MetricBufferOptions;
  private readonly emitSealed = (): void => {
    this.scheduled = false;
    this.flushSealed();
  };
  private readonly onTimer = (): void => {
    this.armed = false;
    if (this.n > 0) {
      this.seal();
      this.flushSealed();
    }
  };

  /** @param options - names, batch size, interval and the receiver */
  constructor(options: MetricBufferOptions) {
    this.options = options;
    this.capacity = Math.max(1, Math.floor(options.batchSize ?? 4096));
    this.maxSealed = Math.max(1, options.maxSealed ?? 16);
    this.current = newChunk(this.capacity);
    this.ids = this.current.ids;
    this.values = this.current.values;
    this.steps = this.current.steps;
    this.times = this.current.times;
  }

  /** Points not yet handed on. */
  get size(): number {
    let total = this.n;
    for (const c of this.sealed) total += c.length;
    return total;
  }

  /** Sequence number of the last batch handed on (0 before the first). */
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
    else if (i === 0 && !this.armed) this.arm();
  }

  /** Hands on everything buffered now, as batches in order. */
  drain(): void {
    if (this.n > 0) this.seal();
    this.flushSealed();
  }

  /** Stops the timer for good (the buffer can still be drained). */
  close(): void {
    this.closed = true;
    this.armed = false;
    clearTimeout(this.timer);
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
    this.current.length = this.n;
    this.sealed.push(this.current);
    this.current = this.pool.pop() ?? newChunk(this.capacity);
    this.ids = this.current.ids;
    this.values = this.current.values;
    this.steps = this.current.steps;
    this.times = this.current.times;
    this.n = 0;
    if (this.sealed.length >= this.maxSealed) this.flushSealed();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.emitSealed);
    }
  }

  private flushSealed(): void {
    const names = this.options.names;
    for (let chunk = this.sealed.shift(); chunk; chunk = this.sealed.shift()) {
      const { ids, values, steps, times, length } = chunk;
      const batch: MetricRecord[] = new Array(length);
      for (let i = 0; i < length; i++) {
        // Steps below 2^30 become small integers, which V8 formats and compares faster.
        const step = steps[i];
        batch[i] = { name: names[ids[i]], value: values[i], step: step < SMALL ? step | 0 : step, timestamp: times[i] };
      }
      chunk.length = 0;
      if (this.pool.length < 4) this.pool.push(chunk);
      this.options.emit(batch, ++this.seq);
    }
  }
}
