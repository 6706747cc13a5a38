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

/** Slots per point in a chunk: name id, value, step, timestamp. */
const SLOTS = 4;

/** One batch: its points side by side, {@link SLOTS} numbers each. */
interface Chunk {
  data: Float64Array;
  length: number;
}

function newChunk(capacity: number): Chunk {
  return { data: new Float64Array(capacity * SLOTS), length: 0 };
}

/**
 * The run's metric buffer: name ids, values, steps and timestamps, four numbers per point in one
 * typed array (one array to load and bounds-check per call, not four). `push` allocates nothing. A full column set is sealed; sealed batches are
 * turned into `MetricRecord` arrays on the next event-loop turn (or at once when a loop that
 * never yields has sealed `maxSealed` of them, which bounds memory), and a timer seals a
 * partial batch `flushIntervalMs` after its first point. The timer is armed only while points
 * wait (and unref'd): an idle run does not wake up.
 */
export class MetricBuffer {
  private data: Float64Array;
  /** Slots written in {@link MetricBuffer.data} (four per point). */
  private n = 0;
  private readonly capacity: number;
  private readonly end: number;
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
    this.end = this.capacity * SLOTS;
    this.current = newChunk(this.capacity);
    this.data = this.current.data;
  }

  /** Points not yet handed on. */
  get size(): number {
    let total = this.n / SLOTS;
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
    const data = this.data;
    data[i] = id;
    data[i + 1] = value;
    data[i + 2] = step;
    data[i + 3] = timestamp;
    const n = i + SLOTS;
    this.n = n;
    if (n === this.end) this.seal();
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
    this.current.length = this.n / SLOTS;
    this.sealed.push(this.current);
    this.current = this.pool.pop() ?? newChunk(this.capacity);
    this.data = this.current.data;
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
      const { data, length } = chunk;
      const batch: MetricRecord[] = new Array(length);
      for (let i = 0, j = 0; i < length; i++, j += SLOTS) {
        // Steps below 2^30 become small integers, which V8 formats and compares faster.
        const step = data[j + 2];
        batch[i] = {
          name: names[data[j] | 0],
          value: data[j + 1],
          step: step < SMALL ? step | 0 : step,
          timestamp: data[j + 3],
        };
      }
      chunk.length = 0;
      if (this.pool.length < 4) this.pool.push(chunk);
      this.options.emit(batch, ++this.seq);
    }
  }
}
